import type { AwsClientOptions } from '../aws-options.ts';

/** Reads a Secrets Manager secret string (the token HMAC key on AWS). */
export async function readSecretString(secretId: string, aws: AwsClientOptions): Promise<string | undefined> {
  // Loaded on first use: the key is read once per container, and only by functions that sign links.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient(aws).send(new GetSecretValueCommand({ SecretId: secretId }));
  return out.SecretString;
}
