import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientOptions } from '../aws-options.ts';

/** Reads a Secrets Manager secret string (the token HMAC key on AWS). */
export async function readSecretString(secretId: string, aws: AwsClientOptions): Promise<string | undefined> {
  const out = await new SecretsManagerClient(aws).send(new GetSecretValueCommand({ SecretId: secretId }));
  return out.SecretString;
}
