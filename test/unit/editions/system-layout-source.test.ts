import { describe, expect, it } from 'vitest';
import type { TemplateVersion } from '../../../src/domain/template-set.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { makeSystemLayoutSource } from '../../../src/use-cases/shared/system-layout-source.ts';

const version = (html?: string): TemplateVersion => ({
  version: 1,
  savedAt: '2027-01-01T00:00:00.000Z',
  savedBy: 'alice',
  key: 'templates/sets/000001-x.json',
  changed: ['system/layout.mjml'],
  ...(html ? { systemLayoutHtml: html } : {}),
});

describe('the system layout in force', () => {
  function world() {
    let t = 0;
    let reads = 0;
    let answer: () => Promise<TemplateVersion | undefined> = async () => undefined;
    const source = makeSystemLayoutSource({
      latest: () => {
        reads++;
        return answer();
      },
      clock: { now: () => new Date(t), sleep: async () => {} },
      logger: silentLogger,
      ttlMs: 60_000,
    });
    return {
      source,
      reads: () => reads,
      at: (ms: number) => {
        t = ms;
      },
      answer: (f: typeof answer) => {
        answer = f;
      },
    };
  }

  it('reads the template store at most once a minute, however many mails are built, and at once together', async () => {
    const w = world();
    w.answer(async () => version('<saved>'));
    expect(await Promise.all([w.source(), w.source(), w.source()])).toEqual([
      '<saved>',
      '<saved>',
      '<saved>',
    ]);
    w.at(59_000);
    expect(await w.source()).toBe('<saved>');
    expect(w.reads()).toBe(1);
    w.answer(async () => version());
    w.at(61_000);
    expect(await w.source()).toBeUndefined(); // rolled back: the built-in layout
    expect(w.reads()).toBe(2);
  });

  it('a failed read never holds a mail up: the last layout read serves until the next try', async () => {
    const w = world();
    w.answer(async () => version('<saved>'));
    await w.source();
    w.answer(async () => {
      throw new Error('throttled');
    });
    w.at(61_000);
    expect(await w.source()).toBe('<saved>');
  });
});
