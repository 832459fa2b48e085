import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoUpdateRepo } from '../../../src/adapters/dynamodb/update-repo.ts';
import { Update } from '../../../src/domain/index.ts';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/gazette.js');
const fixtures = join(import.meta.dirname, '../../fixtures');

describe('gazette members / updates / ingest (CLI against the admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  /** Runs bin/gazette.js --json and insists on exactly one JSON object on stdout. */
  const gazette = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [bin, '--api', stack.urls.api, '--json', ...args], {
      env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0] ?? '');
  };
  /** A run the CLI must refuse (exit 2, as for any refused input) with one JSON error object. */
  const refused = async (...args: string[]) => {
    const err = (await gazette(...args).then(
      () => undefined,
      (e) => e,
    )) as { code: number; stdout: string } | undefined;
    expect(err?.code).toBe(2);
    return JSON.parse(err?.stdout.trim() ?? '{}') as { error: { error: string; message: string } };
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // Each CLI run is a process start (tsx, seconds on a busy 2-core machine): these tests get minutes, not 30 s.
  it('registers a member, ingests files with each outcome, approves with an edit', async () => {
    const m = await gazette(
      'members',
      'add',
      '--org',
      'GreenBuy e.V.',
      '--type',
      'network',
      '--country',
      'Germany',
      '--sender',
      'news@greenbuy.example',
      '--language',
      'de',
    );
    expect(m).toMatchObject({
      organisation: 'GreenBuy e.V.',
      senders: ['news@greenbuy.example'],
      language: 'de',
    });

    // Each CLI start costs seconds (tsx), so the independent runs go in parallel.
    const [accepted, rejected, quarantined] = await Promise.all([
      gazette('ingest', join(fixtures, 'inbound/member-news.eml')),
      gazette('ingest', join(fixtures, 'corpus/postal-mime--bounce.eml')),
      gazette('ingest', join(fixtures, 'inbound/forwarded-chain.eml'), '--verdicts', 'fail'),
    ]);
    expect(accepted).toEqual({ outcome: 'accepted', updateId: expect.stringMatching(/^u_/) });
    expect(rejected).toEqual({
      outcome: 'rejected',
      reason: 'delivery status notification (bounce), not a member update',
    });
    expect(quarantined).toEqual({
      outcome: 'quarantined',
      updateId: expect.any(String),
      reason: expect.stringMatching(/SPF=FAIL/),
    });

    const approved = await gazette('updates', 'approve', accepted.updateId, '--title', 'SPP Forum 2026');
    expect(approved).toMatchObject({ status: 'approved', title: 'SPP Forum 2026' });
  }, 120_000);

  it('gazette updates edit corrects any field without approving: event on a wall clock, files, links, a translation', async () => {
    const repo = new DynamoUpdateRepo(stack.infra.table);
    const file = (name: string, contentType: string) => ({
      key: `attachments/msg-cli-edit/${name}`,
      filename: name,
      contentType,
      size: 1024,
      publishable: true,
    });
    await repo.create(
      Update.parse({
        updateId: 'u_cli_edit',
        messageId: 'msg-cli-edit',
        memberId: 'm_any',
        organisation: 'BME Germany',
        sender: 'press@bme.example',
        receivedAt: '2026-12-01T08:00:00.000Z',
        status: 'pending',
        title: 'Webinar on circular procurement',
        summary: 'Agenda',
        bodyHtml: '',
        bodyText: 'Webinar',
        kind: 'event',
        section: 'events',
        attachments: [file('poster.png', 'image/png'), file('agenda.pdf', 'application/pdf')],
        event: { start: '2027-01-20T09:00:00.000Z', timeZone: 'Europe/Berlin', location: 'Online' },
        rawKey: 'raw/msg-cli-edit.eml',
      }),
    );
    const edited = await gazette(
      'updates',
      'edit',
      'u_cli_edit',
      '--event-start',
      '2027-01-20 11:30',
      '--event-place',
      'Messe Berlin, Hall 7',
      '--drop',
      'agenda.pdf',
      '--alt',
      'poster.png=Poster: a circular arrow',
      '--link',
      'https://bme.example/webinar Register now',
      '--tr-title',
      'zh=循环采购网络研讨会',
      '--tr-summary',
      'zh=议程',
    );
    expect(edited).toMatchObject({
      status: 'pending',
      // 11:30 on Berlin's wall clock (the event's zone), CET.
      event: {
        start: '2027-01-20T10:30:00.000Z',
        timeZone: 'Europe/Berlin',
        location: 'Messe Berlin, Hall 7',
      },
      links: [{ url: 'https://bme.example/webinar', label: 'Register now' }],
      translations: { zh: { title: '循环采购网络研讨会', summary: '议程' } },
    });
    expect(edited.attachments.map((a: { filename: string; alt?: string }) => [a.filename, a.alt])).toEqual([
      ['poster.png', 'Poster: a circular arrow'],
    ]);
    expect(edited.droppedAttachments.map((a: { filename: string }) => a.filename)).toEqual(['agenda.pdf']);

    // Refusals say what to do, and change nothing. A wall time with no zone to read it in is never
    // guessed as UTC (this update has no event zone to fall back on).
    await repo.create(
      Update.parse({
        ...(await repo.get('u_cli_edit')),
        updateId: 'u_cli_nozone',
        messageId: 'msg-cli-nozone',
        event: undefined,
        translations: undefined,
        audit: [],
      }),
    );
    expect(edited.version).toBeGreaterThan(0);
    const [noZone, noFile, stale] = await Promise.all([
      refused('updates', 'edit', 'u_cli_nozone', '--deadline', '2027-03-30 17:00'),
      refused('updates', 'edit', 'u_cli_edit', '--drop', 'missing.pdf'),
      refused('updates', 'edit', 'u_cli_edit', '--title', 'Stale', '--version', String(edited.version - 1)),
    ]);
    expect(noZone.error.message).toMatch(/--deadline .*give --zone/);
    expect(noFile.error.message).toMatch(/no such file on u_cli_edit \(poster.png, agenda.pdf\)/);
    expect(stale.error.message).toMatch(/version|changed/i);
    expect((await repo.get('u_cli_nozone'))?.deadline).toBeUndefined();
    const after = await repo.get('u_cli_edit');
    expect(after?.title).toBe('Webinar on circular procurement');
    expect(after?.event?.location).toBe('Messe Berlin, Hall 7');
  }, 120_000);
});
