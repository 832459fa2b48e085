import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../context.ts';
import { editionsCommand } from './editions.ts';

export interface SendJob {
  campaign: string;
  status: string;
  startedBy: string;
  startedAt: string;
  recipients: number;
  queued: number;
  runs: number;
  maxSendRate?: number;
  finishedAt?: string;
  warnings: string[];
}
export interface SendStatus {
  campaign: string;
  status: string;
  recipients: number;
  sent: number;
  skipped: number;
  failed: number;
  uncertain: number;
  pending: number;
  source: 'exact' | 'counters';
  job: SendJob;
}
interface Delivery {
  subscriberId: string;
  status: string;
  claimedAt?: string;
  sesMessageId?: string;
  error?: string;
}

const path = (campaign: string, suffix = '') => `/admin/sends/${encodeURIComponent(campaign)}${suffix}`;

const edition = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`"${v}" is not an edition number`);
  return `edition#${n}`;
};

export const showStatus = (s: SendStatus) => {
  const done = s.sent + s.skipped + s.failed + s.uncertain;
  const pct = s.recipients ? Math.floor((100 * done) / s.recipients) : 0;
  const lines = [
    `${s.campaign}: ${s.status} (${pct}% resolved${s.source === 'exact' ? ', exact count' : ''})`,
    `  recipients ${s.recipients}`,
    `  sent       ${s.sent}`,
    `  skipped    ${s.skipped}  (suppressed or unsubscribed at send time)`,
    `  failed     ${s.failed}`,
    `  uncertain  ${s.uncertain}${s.uncertain ? '  ← see "gazette sends deliveries <campaign> --status uncertain"' : ''}`,
    `  pending    ${s.pending}`,
    `  started    ${s.job.startedAt.slice(0, 19).replace('T', ' ')} by ${s.job.startedBy}${
      s.job.maxSendRate ? ` · max ${s.job.maxSendRate}/s` : ''
    }`,
  ];
  if (s.job.finishedAt) lines.push(`  finished   ${s.job.finishedAt.slice(0, 19).replace('T', ' ')}`);
  for (const w of s.job.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
};

/** Poll status with a progress bar until the send stops running (or is fully resolved). */
export async function watch(ctx: CliContext, campaign: string, intervalMs = 1000): Promise<SendStatus> {
  const client = await ctx.client();
  let s = await client.request<SendStatus>('GET', path(campaign));
  const bar = ctx.progress(`sending ${campaign}`, Math.max(1, s.recipients));
  try {
    for (;;) {
      const done = s.sent + s.skipped + s.failed + s.uncertain;
      bar.update(done, Math.max(1, s.recipients));
      if (s.status !== 'running' || (s.job.queued > 0 && s.pending === 0)) break;
      await new Promise((r) => setTimeout(r, intervalMs));
      s = await client.request<SendStatus>('GET', path(campaign));
    }
  } finally {
    bar.stop();
  }
  // The last word is the exact count (it also finishes the job if every recipient is resolved).
  return client.request<SendStatus>('GET', path(campaign), { query: { exact: 1 } });
}

function actions(
  group: Command,
  ctx: CliContext,
  toCampaign: (arg: string) => string,
  argName: string,
  skip: string[] = [],
) {
  const verbs: [string, string][] = [
    ['start', 'start sending (refused unless the campaign is ready, e.g. an approved edition)'],
    ['pause', 'pause a running send: workers stop; nothing is lost'],
    ['resume', 'resume a paused send: only recipients not yet claimed are sent'],
    ['rerun', 'send to those not yet sent (after a dead-lettered batch, or to new subscribers)'],
    ['cancel', 'cancel a send: nothing more is sent'],
  ];
  for (const [verb, help] of verbs) {
    if (skip.includes(verb)) continue;
    const name = verb === 'start' && argName === 'number' ? 'send' : verb;
    group
      .command(`${name} <${argName}>`)
      .description(help)
      .option('--watch', 'follow progress until the send stops', false)
      .action(async (arg: string, o: { watch: boolean }) => {
        const campaign = toCampaign(arg);
        const client = await ctx.client();
        const res = await client.request<{ send: SendJob }>('POST', path(campaign, `/${verb}`));
        if (o.watch && ['start', 'resume', 'rerun'].includes(verb)) {
          ctx.print(await watch(ctx, campaign), showStatus);
        } else {
          ctx.print(res.send, (j: SendJob) => `${j.campaign}: ${j.status}`);
        }
      });
  }
  group
    .command(`status <${argName}>`)
    .description('progress: recipients, sent, skipped, failed, uncertain, pending')
    .option('--watch', 'show a progress bar until the send stops', false)
    .option('--exact', 'count the delivery records now (also reports stale claims as uncertain)', false)
    .action(async (arg: string, o: { watch: boolean; exact: boolean }) => {
      const campaign = toCampaign(arg);
      if (o.watch) return ctx.print(await watch(ctx, campaign), showStatus);
      const client = await ctx.client();
      ctx.print(
        await client.request<SendStatus>('GET', path(campaign), {
          query: { exact: o.exact ? 1 : undefined },
        }),
        showStatus,
      );
    });
}

export function register(program: Command, ctx: CliContext): void {
  const sends = program
    .command('sends')
    .description('bulk sends (editions and reminder waves): progress, pause, resume, re-run');
  sends
    .command('list')
    .description('every send, newest first')
    .option('--status <status>', 'running | paused | finished | cancelled')
    .action(async (o: { status?: string }) => {
      const client = await ctx.client();
      const res = await client.request<{ sends: SendJob[] }>('GET', '/admin/sends', {
        query: { status: o.status },
      });
      ctx.print(res.sends, (rows: SendJob[]) =>
        table(
          rows.map((r) => ({ ...r, startedAt: r.startedAt.slice(0, 16).replace('T', ' ') })),
          ['campaign', 'status', 'recipients', 'runs', 'startedAt', 'startedBy'],
        ),
      );
    });
  actions(sends, ctx, (c) => c, 'campaign');
  sends
    .command('deliveries <campaign>')
    .description('per-recipient outcomes, e.g. --status uncertain to resolve them by hand')
    .option('--status <status>', 'claimed | sent | failed | skipped | uncertain')
    .action(async (campaign: string, o: { status?: string }) => {
      const client = await ctx.client();
      const res = await client.request<{ deliveries: Delivery[] }>('GET', path(campaign, '/deliveries'), {
        query: { status: o.status },
      });
      ctx.print(res.deliveries, (rows: Delivery[]) =>
        table(
          rows.map((r) => ({ ...r })),
          ['subscriberId', 'status', 'claimedAt', 'sesMessageId', 'error'],
        ),
      );
    });

  // `gazette editions pause|resume|rerun|status N` (the editions area owns send, with its audience
  // dry run and empty-audience check, and cancel).
  actions(editionsCommand(program), ctx, edition, 'number', ['start', 'cancel']);
}
