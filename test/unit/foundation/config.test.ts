import { describe, expect, it } from 'vitest';
import {
  ConfigSchema,
  LambdaConfigSchema,
  LocalConfigSchema,
  loadConfig,
} from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/domain/errors.ts';
import { editionSettings } from '../../../src/use-cases/editions/settings.ts';

describe('configuration', () => {
  it('applies documented defaults when nothing is set', () => {
    const c = loadConfig(ConfigSchema, {});
    expect(c.GAZETTE_MAX_MESSAGE_BYTES).toBe(40 * 1024 * 1024);
    expect(c.GAZETTE_EDITION_TIMEZONE).toBe('Asia/Shanghai');
    expect(c.GAZETTE_EDITION_SCHEDULE).toBe('cron(0 9 1 1,4,7,10 ? *)');
  });

  it('fails fast naming a malformed variable', () => {
    expect(() => loadConfig(ConfigSchema, { GAZETTE_MAX_MESSAGE_BYTES: 'forty' })).toThrow(
      /GAZETTE_MAX_MESSAGE_BYTES/,
    );
    expect(() => loadConfig(ConfigSchema, { GAZETTE_PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
  });

  it('fails fast naming a variable the Lambda runtime requires', () => {
    expect(() => loadConfig(LambdaConfigSchema, { GAZETTE_SES_CONFIGURATION_SET: 'cs' })).toThrow(
      /GAZETTE_TOKEN_SECRET_ARN/,
    );
  });

  it('treats empty strings as unset (CDK and .env files write them)', () => {
    expect(loadConfig(LocalConfigSchema, { GAZETTE_HTTP_PORT: '' }).GAZETTE_HTTP_PORT).toBe(8787);
  });

  it('rejects a token secret too short to be an HMAC key', () => {
    expect(() => loadConfig(ConfigSchema, { GAZETTE_TOKEN_SECRET: 'short' })).toThrow(/GAZETTE_TOKEN_SECRET/);
  });
});

describe('public URLs outside the embedded runtime (issue 15)', () => {
  const lambda = (env: Record<string, string>) =>
    loadConfig(LambdaConfigSchema, {
      GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
      ...env,
    });

  it('publishes attachments at <public URL>/media only where the embedded runtime serves it', () => {
    const local = loadConfig(LocalConfigSchema, { GAZETTE_PUBLIC_URL: 'http://127.0.0.1:8787/' });
    expect(editionSettings(local).mediaUrl).toBe('http://127.0.0.1:8787/media');
    const aws = lambda({ GAZETTE_PUBLIC_URL: 'https://news.igpn.example' });
    expect(editionSettings(aws).mediaUrl).toBeUndefined();
    const named = lambda({ GAZETTE_MEDIA_URL: 'https://media.igpn.example' });
    expect(editionSettings(named).mediaUrl).toBe('https://media.igpn.example');
  });

  it('refuses an http public or archive URL in the Lambda runtime, naming the variable', () => {
    expect(() => lambda({ GAZETTE_PUBLIC_URL: 'http://news.igpn.example' })).toThrow(
      /GAZETTE_PUBLIC_URL: must be an https:\/\/ URL/,
    );
    expect(() => lambda({ GAZETTE_ARCHIVE_URL: 'http://archive.igpn.example/gazette' })).toThrow(
      /GAZETTE_ARCHIVE_URL/,
    );
  });

  it('accepts https there, and http only on a loopback host no reader can reach', () => {
    const c = lambda({
      GAZETTE_PUBLIC_URL: 'https://abc.execute-api.us-east-1.amazonaws.com',
      GAZETTE_ARCHIVE_URL: 'https://d111.cloudfront.net',
    });
    expect(c.GAZETTE_PUBLIC_URL).toMatch(/^https:/);
    expect(lambda({ GAZETTE_PUBLIC_URL: 'http://127.0.0.1:8787' }).GAZETTE_PUBLIC_URL).toBe(
      'http://127.0.0.1:8787',
    );
  });

  it('leaves the embedded runtime free to serve plain http on the machine', () => {
    expect(
      loadConfig(LocalConfigSchema, { GAZETTE_PUBLIC_URL: 'http://gazette.lan:8787' }).GAZETTE_PUBLIC_URL,
    ).toBe('http://gazette.lan:8787');
  });
});
