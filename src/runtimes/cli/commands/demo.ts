import type { Command } from 'commander';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { type LocalConfig, LocalConfigSchema, loadConfig } from '../../../config/config.ts';
import type { SendStatus } from '../../../domain/sending.ts';
import type { ApiClient } from '../api-client.ts';
import { embeddedStack } from '../connect.ts';
import type { CliContext } from '../context.ts';
import { DEMO_MAILS, DEMO_MEMBERS, demoSubscribers } from '../demo/seed-data.ts';

interface IngestResult {
  outcome: 'accepted' | 'quarantined' | 'rejected';
  updateId?: string;
  reason?: string;
}
export interface DemoSummary {
  updates: number;
  approved: number;
  edition: { number: number; recipients: number; sent: number; duplicates: number; failed: number };
  archiveUrl: string;
  inboxUrl: string;
}

/**
 * `gazette demo`: the whole loop on the embedded default, through the same admin API as every command:
 * seed members → members' mails ingested → approved → edition compiled → approved → sent → archive.
 * Each run ingests fresh mails (new Date headers), so it always produces a new edition; members and
 * subscribers are reused, so re-running never duplicates them.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run the whole loop on the embedded default with sample IGPN-like data and print a summary')
    .option('--subscribers <n>', 'how many sample subscribers', '200')
    .action(async (opts: { subscribers: string }) => {
      const api = await ctx.client();
      const config = loadConfig(LocalConfigSchema);
      const sesUrl =
        embeddedStack()?.endpoints.ses ?? `http://${config.GAZETTE_HOST}:${config.GAZETTE_SES_PORT}`;
      const summary = await runDemo({
        api,
        progress: ctx.progress,
        config,
        sesUrl,
        subscribers: Number(opts.subscribers),
      });
      ctx.print(summary, (s: DemoSummary) =>
        [
          `Ingested ${s.updates} member updates, approved ${s.approved}.`,
          `Edition ${s.edition.number}: ${s.edition.sent}/${s.edition.recipients} sent, ${s.edition.duplicates} duplicates, ${s.edition.failed} failed.`,
          `Archive: ${s.archiveUrl}`,
          `Sent mail: ${s.inboxUrl}`,
          embeddedStack() ? '(these pages are served while `npm start` runs)' : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

export async function runDemo(o: {
  api: ApiClient;
  progress: CliContext['progress'];
  config: LocalConfig;
  /** SES stand-in whose sent-mail store is checked for duplicates. */
  sesUrl: string;
  subscribers?: number;
}): Promise<DemoSummary> {
  const { api, config } = o;
  const ctx = { progress: o.progress };
  const subscriberCount = o.subscribers ?? 200;

  // 1. Members (the registry decides who may email updates in).
  const { members } = await api.request<{ members: { organisation: string }[] }>('GET', '/admin/members');
  const known = new Set(members.map((m) => m.organisation));
  for (const m of DEMO_MEMBERS)
    if (!known.has(m.organisation)) await api.request('POST', '/admin/members', { body: m });

  // 2. Member mails, through the real ingest path (raw stored, SES-shaped event, verdicts PASS).
  const runAt = new Date();
  const results: IngestResult[] = [];
  const ingestBar = ctx.progress('Ingesting member mail', DEMO_MAILS.length);
  for (const [i, mail] of DEMO_MAILS.entries()) {
    const raw = await compose({
      from: mail.from,
      to: config.GAZETTE_UPDATES_ADDRESS,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      date: new Date(runAt.getTime() + i * 1000),
      messageId: `<demo-${runAt.getTime()}-${i}@gazette.demo>`,
    });
    results.push(
      await api.request<IngestResult>('POST', '/admin/inbound', {
        raw,
        contentType: 'message/rfc822',
        query: { verdicts: 'pass' },
      }),
    );
    ingestBar.update(i + 1);
  }
  ingestBar.stop();
  const accepted = results.filter((r) => r.outcome === 'accepted' && r.updateId);

  // 3. Moderation: approve what is pending (trusted members' updates are approved already).
  let approved = 0;
  for (const r of accepted) {
    const update = await api.request<{ status: string }>('GET', `/admin/updates/${r.updateId}`);
    if (update.status === 'pending') {
      await api.request('POST', `/admin/updates/${r.updateId}/approve`, { body: {} });
    }
    approved++;
  }

  // 4. Subscribers (imported with recorded consent; existing ones are left as they are).
  const rows = demoSubscribers(subscriberCount).map((s) =>
    [s.email, s.name, s.language, s.timeZone, s.audiences.join(' '), 'yes'].map(csvCell).join(','),
  );
  const csv = ['email,name,language,timeZone,audiences,consent', ...rows].join('\n');
  await api.request('POST', '/admin/subscribers/import', {
    raw: new TextEncoder().encode(csv),
    contentType: 'text/csv',
  });

  // 5. Compile the edition from approved updates (window: this quarter up to tomorrow), then approve it.
  const tomorrow = new Date(runAt.getTime() + 86_400_000).toISOString().slice(0, 10);
  const from = new Date(runAt.getTime() - 92 * 86_400_000).toISOString().slice(0, 10);
  const { edition } = await api.request<{ edition: { number: number; revision?: string } }>(
    'POST',
    '/admin/editions/compile',
    {
      body: { from, to: tomorrow, wait: true },
    },
  );
  await api.request('POST', `/admin/editions/${edition.number}/approve`, {
    body: { revision: edition.revision, by: 'demo' },
  });

  // 6. Send, with progress, until every recipient is resolved and the archive is published.
  const campaign = encodeURIComponent(`edition#${edition.number}`);
  const sendStartedAt = Math.floor(Date.now() / 1000) - 1;
  await api.request('POST', `/admin/sends/${campaign}/start`);
  const bar = ctx.progress(`Sending edition ${edition.number}`, 1);
  let status: SendStatus;
  for (;;) {
    status = await api.request<SendStatus>('GET', `/admin/sends/${campaign}`);
    bar.update(status.recipients - status.pending, Math.max(1, status.recipients));
    if (status.status === 'finished' || status.status === 'cancelled') break;
    await sleep(250);
  }
  bar.stop();
  status = await api.request<SendStatus>('GET', `/admin/sends/${campaign}`, { query: { exact: true } });
  let subjects = new Set<string>();
  for (let i = 0; i < 80; i++) {
    const { edition: e } = await api.request<{
      edition: { status: string; variants: { subject: string }[] };
    }>('GET', `/admin/editions/${edition.number}`);
    subjects = new Set(e.variants.map((v) => v.subject));
    if (e.status === 'sent') break;
    await sleep(250);
  }

  // 7. Duplicates, counted where they would hurt: in the sent-mail store of the SES stand-in.
  const duplicates = await countDuplicates(
    o.sesUrl,
    sendStartedAt,
    subjects,
    new Set(demoSubscribers(subscriberCount).map((s) => s.email)),
  );

  return {
    updates: accepted.length,
    approved,
    edition: {
      number: edition.number,
      recipients: status.recipients,
      sent: status.sent,
      duplicates,
      failed: status.failed + status.uncertain,
    },
    archiveUrl: `${config.GAZETTE_ARCHIVE_URL.replace(/\/$/, '')}/editions/${edition.number}/`,
    inboxUrl: `http://${config.GAZETTE_HOST}:${config.GAZETTE_SES_PORT}/`,
  };
}

/** Mails of this edition (by its subjects) per demo recipient in the SES store; every extra one is a duplicate. */
async function countDuplicates(
  sesUrl: string,
  since: number,
  subjects: Set<string>,
  recipients: Set<string>,
): Promise<number> {
  const res = await fetch(`${sesUrl}/store?since=${since}`);
  const { emails } = (await res.json()) as { emails: { subject: string; destination: { to: string[] } }[] };
  const seen = new Map<string, number>();
  for (const m of emails) {
    if (!subjects.has(m.subject)) continue;
    for (const to of m.destination.to) {
      const addr = (/<([^>]+)>/.exec(to)?.[1] ?? to).toLowerCase();
      if (recipients.has(addr)) seen.set(addr, (seen.get(addr) ?? 0) + 1);
    }
  }
  return [...seen.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
}

function compose(m: {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  date: Date;
  messageId: string;
}) {
  return new Promise<Uint8Array>((resolve, reject) =>
    new MailComposer(m).compile().build((err, buf) => (err ? reject(err) : resolve(new Uint8Array(buf)))),
  );
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
