import { describe, expect, it } from 'vitest';
import {
  ConfigSchema,
  LambdaConfigSchema,
  LocalConfigSchema,
  loadConfig,
} from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/domain/errors.ts';

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
