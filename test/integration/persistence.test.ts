import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { startLocalStack } from '../../src/runtimes/local/stack.ts';

describe('embedded runtime persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-persist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig(LocalConfigSchema, {
    GAZETTE_DATA_DIR: dir,
    ...EPHEMERAL_PORTS,
  });
  const start = () => startLocalStack({ config, logger: silentLogger, schedulerLoop: false });

  it('a second start resumes the table, the buckets and the sent-mail inbox of the first', async () => {
    const first = await start();
    await first.infra.table.put({ pk: 'PROBE#1', sk: 'PROBE', note: '持久' });
    await first.infra.blobs.archive.put('probe.html', '<p>kept</p>', 'text/html');
    const { messageId } = await first.infra.mailer.send({
      from: 'a@gazette.local',
      to: 'b@example.org',
      subject: 'kept',
      text: 'x',
    });
    await first.stop();

    const second = await start();
    try {
      expect(await second.infra.table.get({ pk: 'PROBE#1', sk: 'PROBE' })).toMatchObject({ note: '持久' });
      expect(await second.infra.blobs.archive.getText('probe.html')).toBe('<p>kept</p>');
      const store = (await (await fetch(`${second.endpoints.ses}/store`)).json()) as {
        emails: { messageId: string }[];
      };
      expect(store.emails.map((e) => e.messageId)).toContain(messageId);
    } finally {
      await second.stop();
    }
  });
});
