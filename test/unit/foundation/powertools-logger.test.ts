import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { powertoolsLogger } from '../../../src/adapters/powertools/logger.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = powertoolsLogger({
    level,
    keys: { fn: 'send-worker' },
    write: (l) => lines.push(l),
  });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('Powertools logger (the Logger port in the Lambdas and the embedded runtime)', () => {
  it('writes one JSON line per record with level, time, msg, the base keys and the fields', () => {
    const { logger, lines, records } = capture();
    logger.info('batch sent', { count: 50 });
    expect(lines).toHaveLength(1);
    const [r] = records();
    expect(r).toMatchObject({ level: 'info', msg: 'batch sent', fn: 'send-worker', count: 50 });
    expect(Date.parse(String(r?.time))).not.toBeNaN();
    // Field names the CloudWatch metric filter ($.level = "error") and readers rely on.
    expect(Object.keys(r ?? {}).slice(0, 3)).toEqual(['level', 'time', 'msg']);
  });

  it("carries a child's correlation keys on its lines, nested children adding theirs, the parent untouched", () => {
    const { logger, records } = capture();
    const area = logger.child({ area: 'sending' });
    const send = area.child({ campaign: 'ed-2026-q4' });
    send.warn('throttled', { messageId: 'm-1' });
    area.child({ updateId: 'u-7' }).error('could not publish');
    logger.info('plain');
    const [a, b, c] = records();
    expect(a).toMatchObject({
      level: 'warn',
      msg: 'throttled',
      fn: 'send-worker',
      area: 'sending',
      campaign: 'ed-2026-q4',
      messageId: 'm-1',
    });
    expect(b).toMatchObject({ level: 'error', area: 'sending', updateId: 'u-7' });
    expect(b).not.toHaveProperty('campaign');
    expect(c).not.toHaveProperty('area');
    expect(c).not.toHaveProperty('campaign');
  });

  it('respects the level, in children too (default info: no debug)', () => {
    const quiet = capture('warn');
    quiet.logger.debug('d');
    quiet.logger.info('i');
    quiet.logger.child({ campaign: 'c' }).info('child info');
    quiet.logger.warn('w');
    quiet.logger.child({ campaign: 'c' }).error('e');
    expect(quiet.records().map((r) => r.msg)).toEqual(['w', 'e']);

    const byDefault = capture();
    byDefault.logger.debug('d');
    byDefault.logger.info('i');
    expect(byDefault.records().map((r) => r.msg)).toEqual(['i']);

    const verbose = capture('debug');
    verbose.logger.child({ campaign: 'c' }).debug('d');
    expect(verbose.records()).toEqual([expect.objectContaining({ level: 'debug', msg: 'd', campaign: 'c' })]);
  });

  it('logs an Error field with its name and message instead of {}', () => {
    const { logger, records } = capture();
    logger.error('edition compile failed', { number: 12, error: new TypeError('bad template') });
    expect(records()[0]?.error).toMatchObject({ name: 'TypeError', message: 'bad template' });
  });

  it('only adapters import Powertools (use cases, ports and runtimes stay free of the library)', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir)).flatMap((n) => {
        const p = join(dir, n);
        return statSync(join(root, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const offenders = ['src', 'functions']
      .flatMap(files)
      .filter((f) => !f.startsWith('src/adapters/'))
      .filter((f) => /from\s+'@aws-lambda-powertools\//.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
