import { describe, expect, it } from 'vitest';
import { InfraConfigError, readInfraConfig } from '../../infra/config.ts';

const read = (context: Record<string, unknown>) => readInfraConfig((k) => context[k]);

describe('CDK context configuration', () => {
  it('has defaults that synthesise offline, derived from the domain', () => {
    const c = read({});
    expect(c).toMatchObject({
      prefix: 'gazette',
      domain: 'gazette.example.org',
      fromAddress: 'IGPN Gazette <news@gazette.example.org>',
      updatesAddress: 'updates@gazette.example.org',
      unsubscribeAddress: 'unsubscribe@gazette.example.org',
      editionSchedule: 'cron(0 9 1 1,4,7,10 ? *)',
      editionTimezone: 'Asia/Shanghai',
      tracing: false,
      activateReceiptRuleSet: false,
    });
    expect(c.alarmEmail).toBeUndefined();
    expect(c.names.fn('api')).toBe('gazette-api');
  });

  it('accepts -c strings for numbers, booleans and JSON objects', () => {
    const c = read({
      domain: 'IGPN.org',
      rawRetentionDays: '14',
      tracing: 'true',
      sendWorkerConcurrency: '8',
      lambdaEnv: '{"GAZETTE_SOFT_BOUNCE_THRESHOLD":"5","GAZETTE_POSTAL_ADDRESS":"IGPN, Beijing"}',
    });
    expect(c.domain).toBe('igpn.org');
    expect(c.updatesAddress).toBe('updates@igpn.org');
    expect(c.rawRetentionDays).toBe(14);
    expect(c.tracing).toBe(true);
    expect(c.sendWorkerConcurrency).toBe(8);
    expect(c.lambdaEnv).toEqual({
      GAZETTE_SOFT_BOUNCE_THRESHOLD: '5',
      GAZETTE_POSTAL_ADDRESS: 'IGPN, Beijing',
    });
  });

  it.each([
    [{ domain: 'not a domain' }, 'domain'],
    [{ alarmEmail: 'ops-at-igpn' }, 'alarmEmail'],
    [{ updatesAddress: 'updates@elsewhere.org' }, 'updatesAddress'],
    [{ fromAddress: 'News <news@elsewhere.org>' }, 'fromAddress'],
    [{ editionSchedule: '0 9 1 * *' }, 'editionSchedule'],
    [{ editionTimezone: 'Mars/Olympus' }, 'editionTimezone'],
    [{ logRetentionDays: '42' }, 'logRetentionDays'],
    [{ sendWorkerConcurrency: '1' }, 'sendWorkerConcurrency'],
    [{ tracing: 'yes' }, 'tracing'],
    [{ prefix: 'Gazette_Prod' }, 'prefix'],
    [{ account: '1234' }, 'account'],
    [{ lambdaEnv: '{"NOT_A_SETTING":"1"}' }, 'NOT_A_SETTING'],
    [{ lambdaEnv: '{"GAZETTE_TABLE":"other"}' }, 'GAZETTE_TABLE'],
    [{ lambdaEnv: '{"GAZETTE_SOFT_BOUNCE_THRESHOLD":"-2"}' }, 'GAZETTE_SOFT_BOUNCE_THRESHOLD'],
    [{ lambdaEnv: 'not json' }, 'lambdaEnv'],
  ])('rejects %j naming %s', (context, key) => {
    expect(() => read(context)).toThrow(InfraConfigError);
    expect(() => read(context)).toThrow(key);
  });

  it('accepts addresses on subdomains of the domain', () => {
    const c = read({ domain: 'igpn.org', fromAddress: 'IGPN <news@mail.igpn.org>' });
    expect(c.fromAddress).toBe('IGPN <news@mail.igpn.org>');
  });
});
