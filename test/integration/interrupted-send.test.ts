import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { startLocalStack } from '../../src/runtimes/local/stack.ts';
import type { SentMail } from '../support/local-stack.ts';
import { makeSubscribers } from '../support/sending-fixtures.ts';

/**
 * The embedded runtime keeps its send queue in memory. A stop that does not drain it (a second Ctrl-C, a
 * crash) must not leave a send 'running' for good: the next start re-plans it, and nobody gets it twice.
 */
describe('embedded runtime: a send interrupted by a stop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-interrupted-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig(LocalConfigSchema, { GAZETTE_DATA_DIR: dir, ...EPHEMERAL_PORTS });
  const start = () => startLocalStack({ config, logger: silentLogger, schedulerLoop: false });

  it('is re-planned at the next start and reaches every recipient exactly once', async () => {
    const first = await start();
    let campaign = '';
    try {
      const subs = makeSubscribers(25, { domain: 'interrupted.example', audiences: ['reminders'] });
      for (const s of subs) await first.app.subscribers.subscriberRepo.create(s);
      const admin = (path: string, body: unknown) =>
        fetch(`${first.urls.api}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${first.secrets.adminToken}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        });
      const created = await admin('/admin/deadlines', {
        title: 'Interrupted survey',
        due: '2099-03-30 23:59',
        timeZone: 'Asia/Shanghai',
      });
      const { deadline } = (await created.json()) as { deadline: { deadlineId: string } };
      // The process "dies" with the batches still queued: they are taken and never sent.
      let lost = 0;
      first.queue.setConsumer(async () => {
        lost++;
      });
      const now = await admin(`/admin/deadlines/${deadline.deadlineId}/remind-now`, {});
      expect(now.status).toBe(202);
      campaign = ((await now.json()) as { campaign: string }).campaign;
      await first.idle();
      expect(lost).toBeGreaterThan(0);
      expect((await first.app.sending.engine.list('running')).map((j) => j.campaign)).toEqual([campaign]);
    } finally {
      await first.stop({ drain: false });
    }

    const second = await start();
    try {
      await second.idle();
      const store = (await (await fetch(`${second.endpoints.ses}/store`)).json()) as { emails: SentMail[] };
      const to = store.emails
        .filter((m) => m.subject.includes('Interrupted survey'))
        .map((m) => m.destination.to[0]);
      expect(to).toHaveLength(25);
      expect(new Set(to).size).toBe(25);
      const status = await second.app.sending.engine.status(campaign, { exact: true });
      expect(status).toMatchObject({ status: 'finished', sent: 25, pending: 0 });
    } finally {
      await second.stop();
    }
  });
});
