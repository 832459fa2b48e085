import type { AwsClientOptions } from '../aws-options.ts';

/** How long a read secret is reused before Secrets Manager is asked again (a rotation shows within it). */
export const SECRET_MAX_AGE_SECONDS = 3600;

/**
 * Reads Secrets Manager secret strings (the token HMAC key on AWS) through Powertools' Parameters utility:
 * a value is cached for `maxAgeSeconds`, and a failed read is not cached, so a container whose first read
 * met a throttle or a network error reads again on its next invocation instead of failing until recycled.
 */
export function createSecretReader(aws: AwsClientOptions, maxAgeSeconds = SECRET_MAX_AGE_SECONDS) {
  type Provider = import('@aws-lambda-powertools/parameters/secrets').SecretsProvider;
  let provider: Promise<Provider> | undefined;
  // Loaded on first use: only functions that sign links read the key.
  const load = async (): Promise<Provider> => {
    const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([
      import('@aws-lambda-powertools/parameters/secrets'),
      import('@aws-sdk/client-secrets-manager'),
    ]);
    return new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(aws) });
  };
  return async (secretId: string): Promise<string | undefined> => {
    provider ??= load();
    const value = await (await provider).get(secretId, { maxAge: maxAgeSeconds });
    return typeof value === 'string' ? value : undefined;
  };
}
