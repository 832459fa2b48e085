/**
 * `gazette deadlines …`: deadlines and events with automatic reminders, all through the admin API
 * (/admin/deadlines…).
 */
import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import type { AudiencePreview, CampaignStats, Deadline, Reminder } from '../../../domain/index.ts';
import { describeFilter } from '../../../domain/segment.ts';
import { ApiError } from '../api-client.ts';
import { type CliContext, table } from '../context.ts';

type View = {
  deadline: Deadline;
  reminders: (Reminder & { stats?: CampaignStats })[];
  notice?: string;
  audience?: AudiencePreview;
  dryRun?: boolean;
};
interface RemindNowDry {
  dryRun: true;
  campaign: string;
  recipients: { email: string; name: string; timeZone: string; language: string }[];
  count: number;
  suppressed: number;
  truncated: boolean;
}
type RemindNowResult = RemindNowDry | { dryRun: false; campaign: string; started: true };

/** How often `add` sends its request before giving up (same requestId each time: never a second item). */
const ADD_ATTEMPTS = 3;

/** A server error or no answer at all: the create may have been done halfway, and retrying finishes it. */
const retryable = (e: unknown) => !(e instanceof ApiError) || e.status >= 500;

const path = (id: string) => `/admin/deadlines/${encodeURIComponent(id)}`;

function local(iso: string | undefined, timeZone: string): string {
  if (!iso) return '';
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return f.format(new Date(iso));
}

function audienceText(a: Deadline['audience']): string {
  if (a.kind === 'all')
    return a.audience === 'reminders' ? 'all reminder subscribers' : `all on ${a.audience}`;
  if (a.kind === 'members') return 'members only';
  if (a.kind === 'member-type') return `member type ${a.memberType}`;
  if (a.kind === 'segment') return `segment ${a.segmentId}`;
  return describeFilter(a.filter);
}

/** Count, spread and a sample of who an item reaches (create, audience change, --dry-run). */
export function audienceLines(p: AudiencePreview): string[] {
  const spread = (r: Record<string, number>) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `  reaches ${p.count} confirmed subscriber(s)   languages: ${spread(p.byLanguage) || '–'}`,
    `  time zones: ${spread(p.byTimeZone) || '–'}`,
    ...p.sample.map((s) => `    ${s.email}${s.name ? ` (${s.name})` : ''}  ${s.language}  ${s.timeZone}`),
    ...(p.sample.length < p.count ? [`    … and ${p.count - p.sample.length} more`] : []),
  ];
}

function showView(v: View): string {
  const d = v.deadline;
  const when =
    d.kind === 'event'
      ? `${local(d.dueAt, d.timeZone)} – ${local(d.endAt, d.timeZone)} (${d.timeZone})`
      : `${local(d.dueAt, d.timeZone)} (${d.timeZone})`;
  const lines = [
    ...(v.dryRun ? ['DRY RUN — nothing written or scheduled.'] : []),
    `${d.deadlineId}  ${d.kind}  ${d.status}  v${d.version}`,
    `  ${d.title}`,
    `  ${d.kind === 'event' ? 'when' : 'due'}: ${when}   = ${d.dueAt}`,
    `  audience: ${audienceText(d.audience)}   language: ${d.language}   offsets: ${d.offsets.join(', ')}`,
    ...(d.readerTime ? [`  day reminders at ${d.readerTime} in each reader's time zone`] : []),
    ...(v.audience ? audienceLines(v.audience) : []),
    ...(d.link ? [`  link: ${d.link}`] : []),
    '',
    table(
      v.reminders.map((r) => ({
        offset: r.offset,
        status: r.status,
        fires: `${local(r.fireAt, d.timeZone)} (${r.fireAt})`,
        version: r.version,
        sent: r.stats ? `${r.stats.sent}/${r.stats.recipients}` : '',
      })),
      ['offset', 'status', 'fires', 'version', 'sent'],
    ),
  ];
  if (v.reminders.some((r) => r.status === 'skipped-late')) {
    lines.push(
      '',
      'skipped-late: its time had already passed; use --send-late to send such reminders at once.',
    );
  }
  const failed = v.reminders.filter((r) => r.status === 'failed');
  if (failed.length) {
    lines.push(
      '',
      ...failed.map((r) => `failed ${r.offset}: ${r.error ?? 'refused by the send engine'}`),
      'failed: the send engine refused it and nothing retries it by itself. Fix the cause, then update the item ' +
        '(gazette deadlines update ID, with --send-late if its time has passed) or use remind-now.',
    );
  }
  if (v.notice) lines.push('', `Extension notice started: ${v.notice}`);
  return lines.join('\n');
}

interface ItemOptions {
  title?: string;
  description?: string;
  link?: string;
  due?: string;
  start?: string;
  end?: string;
  tz?: string;
  offsets?: string;
  audience?: string;
  language?: string;
  sendLate?: boolean;
  force?: boolean;
  readerTime?: string;
}

function itemBody(o: ItemOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: o.title,
    description: o.description,
    link: o.link,
    due: o.due,
    start: o.start,
    end: o.end,
    timeZone: o.tz,
    offsets: o.offsets,
    audience: o.audience,
    language: o.language,
    readerTime: o.readerTime === 'off' ? null : o.readerTime,
  };
  if (o.sendLate) body.sendLate = true;
  if (o.force) body.force = true;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

function itemOptions(cmd: Command, creating: boolean): Command {
  return cmd
    .option('--title <text>', 'what is due or happening')
    .option('--description <text>', 'a few sentences shown in the reminder')
    .option('--link <url>', 'where to act or read more')
    .option('--due <time>', 'deadline due time: "2027-03-30 23:59" in --tz, or an ISO instant')
    .option('--start <time>', 'event start (with --event)')
    .option('--end <time>', 'event end (with --event)')
    .option(
      '--tz <zone>',
      `IANA time zone the time is announced in, e.g. Asia/Shanghai${creating ? ' (required)' : ''}`,
    )
    .option(
      '--offsets <list>',
      'reminders before the due time, e.g. P14D,P7D,P1D,PT2H (default P14D,P7D,P1D)',
    )
    .option(
      '--audience <scope>',
      'all | members | member-type:<council|secretariat|advisory|network|associate> | segment:<id>',
    )
    .option(
      '--reader-time <HH:MM>',
      "day reminders (P7D, P1D) at this local time in each reader's zone, e.g. 09:00 ('off': at the due wall time)",
    )
    .option('--language <tag>', 'language of the reminder (en, zh …)')
    .option('--send-late', 'send reminders whose time has already passed at once (default: skip them)', false)
    .option('--force', 'accept a due time (or start) that has already passed (refused otherwise)', false);
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('deadlines')
    .alias('deadline')
    .description('deadlines and events with automatic reminders (14, 7 and 1 days before by default)');

  itemOptions(
    cmd
      .command('add')
      .description('announce a deadline (or with --event an event) and schedule its reminders')
      .option('--event', 'an event with --start and --end instead of a deadline with --due', false)
      .option('--dry-run', 'count the audience and show the reminders it would plan; change nothing', false)
      .option(
        '--request-id <key>',
        'idempotency key (default: a new one, printed if the command fails); the same key never makes a second item',
      ),
    true,
  ).action(async (o: ItemOptions & { event: boolean; requestId?: string; dryRun: boolean }) => {
    if (!o.title) throw new Error('--title is required');
    if (!o.tz)
      throw new Error('--tz is required (the time zone the time is announced in, e.g. Asia/Shanghai)');
    const client = await ctx.client();
    const requestId = o.requestId ?? randomUUID();
    const body = {
      kind: o.event ? 'event' : 'deadline',
      ...itemBody(o),
      requestId,
      ...(o.dryRun ? { dryRun: true } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const v = await client.request<View>('POST', '/admin/deadlines', { body });
        ctx.print(v, showView);
        return;
      } catch (e) {
        if (!retryable(e)) throw e;
        if (attempt >= ADD_ATTEMPTS) {
          throw new Error(
            `${(e as Error).message}\nThe item may have been created with only some reminders planned. Run the same ` +
              `command again with --request-id ${requestId} to finish it (this never creates a second item).`,
          );
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  });

  itemOptions(
    cmd
      .command('update')
      .argument('<id>')
      .description('change an item; pending reminders move with it (reminders already sent are not repeated)')
      .option('--notify-extension', 'the due time moved later: also mail an "extended" notice now', false)
      .option('--if-version <n>', 'refuse if the item changed since this version'),
    false,
  ).action(async (id: string, o: ItemOptions & { notifyExtension: boolean; ifVersion?: string }) => {
    const client = await ctx.client();
    const body = itemBody(o);
    if (o.notifyExtension) body.notifyExtension = true;
    if (o.ifVersion !== undefined) body.ifVersion = Number(o.ifVersion);
    const v = await client.request<View>('PATCH', path(id), { body });
    ctx.print(v, showView);
  });

  cmd
    .command('cancel')
    .argument('<id>')
    .description('cancel an item: its pending reminders are unscheduled and nothing more is sent')
    .action(async (id: string) => {
      const client = await ctx.client();
      const v = await client.request<View>('POST', path(id) + '/cancel');
      ctx.print(v, showView);
    });

  cmd
    .command('list')
    .description('upcoming items (default), or every item in a status')
    .addOption(new Option('--status <status>', 'which ones').choices(['active', 'cancelled', 'passed']))
    .option('--all', 'include items whose time has passed', false)
    .action(async (o: { status?: string; all: boolean }) => {
      const client = await ctx.client();
      const r = await client.request<{
        deadlines: (Deadline & { failedReminders?: { offset: string; error?: string }[] })[];
      }>('GET', '/admin/deadlines', {
        query: { status: o.status, all: o.all || undefined },
      });
      ctx.print(r, (d: typeof r) =>
        table(
          d.deadlines.map((x) => ({
            id: x.deadlineId,
            kind: x.kind,
            status: x.failedReminders?.length
              ? `${x.status}, failed: ${x.failedReminders.map((f) => f.offset).join(' ')}`
              : x.status,
            due: `${local(x.dueAt, x.timeZone)} ${x.timeZone}`,
            audience: audienceText(x.audience),
            title: x.title.length > 50 ? `${x.title.slice(0, 49)}…` : x.title,
          })),
          ['id', 'kind', 'status', 'due', 'audience', 'title'],
        ),
      );
    });

  cmd
    .command('show')
    .argument('<id>')
    .description('an item with its reminders, when they fire and how many were sent')
    .action(async (id: string) => {
      const client = await ctx.client();
      ctx.print(await client.request<View>('GET', path(id)), showView);
    });

  cmd
    .command('remind-now')
    .argument('<id>')
    .description('send a reminder to the audience right now (try --dry-run first)')
    .option('--dry-run', 'list who would receive it; send nothing', false)
    .option('--limit <n>', 'with --dry-run: how many recipients to list', '500')
    .action(async (id: string, o: { dryRun: boolean; limit: string }) => {
      const client = await ctx.client();
      const r = await client.request<RemindNowResult>('POST', `${path(id)}/remind-now`, {
        query: { dryRun: o.dryRun || undefined, limit: o.dryRun ? o.limit : undefined },
        body: {},
      });
      ctx.print(r, (d: RemindNowResult) => {
        if (!d.dryRun) return `Reminder wave ${d.campaign} started.`;
        return [
          `DRY RUN — nothing sent. ${d.count} recipient(s) would receive it${d.suppressed ? `; ${d.suppressed} suppressed address(es) left out` : ''}.`,
          '',
          table(d.recipients, ['email', 'name', 'timeZone', 'language']),
          ...(d.truncated ? ['', `(first ${d.recipients.length} shown; use --limit)`] : []),
        ].join('\n');
      });
    });
}
