import { describe, expect, it } from 'vitest';
import { LocalJobRunner } from '../../../src/adapters/local/local-jobs.ts';
import { LocalQueue } from '../../../src/adapters/local/local-queue.ts';
import { silentLogger } from '../../../src/ports/logger.ts';

describe('local queue (SQS stand-in)', () => {
  it('redelivers a failing message and parks it in the dead-letter list after maxReceives', async () => {
    const q = new LocalQueue<string>(silentLogger, 3);
    const seen: string[] = [];
    q.setConsumer(async (m) => {
      seen.push(m);
      if (m === 'poison') throw new Error('cannot process');
    });
    await q.sendBatch(['a', 'poison', 'b']);
    await q.idle();
    expect(seen.filter((m) => m === 'poison')).toHaveLength(3);
    expect(seen).toContain('a');
    expect(seen).toContain('b');
    expect(q.deadLetters).toEqual(['poison']);
  });
});

describe('local job runner', () => {
  it('runs jobs after the caller returns and reports failures without throwing to the caller', async () => {
    const jobs = new LocalJobRunner(silentLogger);
    const ran: string[] = [];
    jobs.setHandler(async (job) => {
      if (job.type === 'plan-send') throw new Error('nope');
      ran.push(job.type);
    });
    await jobs.run({ type: 'compile-edition', requestedBy: 'test' });
    expect(ran).toEqual([]); // not yet: asynchronous, like an async Lambda invoke
    await jobs.run({ type: 'plan-send', campaign: 'edition#1', requestedBy: 'test' });
    await jobs.idle();
    expect(ran).toEqual(['compile-edition']);
  });
});
