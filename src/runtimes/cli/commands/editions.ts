import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../context.ts';
import { type SendJob, showStatus, watch } from './sending.ts';

interface Summary {
  number: number;
  title: string;
  status: string;
  items: number;
  languages: string[];
  windowStart: string;
  windowEnd: string;
  compiledAt: string;
  revision?: string;
  approvedBy?: string;
  approvedAt?: string;
  sentAt?: string;
  archiveUrl?: string;
  skipped: number;
  segmentId?: string;
  schedule?: Schedule;
}
interface Schedule {
  at: string;
  localTime: string;
  timeZone: string;
  perReader?: boolean;
  nextAt?: string;
  stopped?: { at: string; by: string };
  scheduledBy: string;
  firedAt?: string;
  error?: string;
}
interface AudiencePreview {
  edition: number;
  target: {
    kind: 'list' | 'segment';
    description: string;
    segmentId?: string;
    name?: string;
    segmentChanged?: boolean;
  };
  count: number;
  suppressed: number;
  sample: { email: string; name: string; language: string; timeZone: string }[];
  byLanguage: Record<string, number>;
  byTimeZone: Record<string, number>;
}
interface CompileAttempt {
  at: string;
  by: string;
  ok: boolean;
  number?: number;
  error?: string;
}
interface Edition extends Omit<Summary, 'items' | 'languages' | 'skipped' | 'segmentId'> {
  items: { updateId: string; section: string; title: string; organisation: string }[];
  variants: { language: string; subject: string }[];
  skipped: { updateId: string; title: string; reason: string }[];
  audience: string;
  target?: { segmentId: string; name: string };
}

const scheduleLine = (s: Schedule) =>
  `${s.localTime.replace('T', ' ')} ${s.perReader ? "in each reader's zone, first" : s.timeZone} (${day(s.at)} UTC)${
    s.nextAt ? `, next readers ${day(s.nextAt)} UTC` : ''
  }${s.firedAt ? `, fired ${day(s.firedAt)}` : ''}${
    s.stopped ? `, later readers called off by ${s.stopped.by}` : ''
  }${s.error ? `, not sent: ${s.error}` : ''}`;

const showAudience = (p: AudiencePreview) => {
  const t = p.target;
  const lines = [
    `Edition ${p.edition} goes to ${t.kind === 'segment' ? `segment ${t.segmentId} (${t.name}): ` : ''}${t.description}`,
    `  recipients ${p.count}${p.suppressed ? ` (${p.suppressed} more suppressed: skipped)` : ''}`,
    `  languages  ${
      Object.entries(p.byLanguage)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-'
    }`,
    `  zones      ${
      Object.entries(p.byTimeZone)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-'
    }`,
  ];
  if (t.segmentChanged)
    lines.push('  note: the saved segment changed since it was chosen; set it again to take the change');
  if (p.sample.length) lines.push('', table(p.sample, ['email', 'name', 'language', 'timeZone']));
  if (p.count === 0) lines.push('', 'Nobody would receive it: the send would be refused.');
  return lines.join('\n');
};

/** The `editions` command group (shared with the send engine's commands in sending.ts). */
export function editionsCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'editions') ??
    program
      .command('editions')
      .description('quarterly editions: compile, preview, approve, send, archive, stats')
  );
}

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`"${v}" is not an edition number`);
  return n;
};

const day = (iso?: string) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

const showSummary = (s: Summary) =>
  [
    `Edition ${s.number}: ${s.title}`,
    `  status     ${s.status}${s.approvedBy ? ` (approved by ${s.approvedBy} at ${day(s.approvedAt)})` : ''}`,
    `  items      ${s.items}${s.skipped ? ` (${s.skipped} left out: see "editions show ${s.number}")` : ''}`,
    `  languages  ${s.languages.join(', ')}`,
    `  window     ${day(s.windowStart)} → ${day(s.windowEnd)}`,
    `  compiled   ${day(s.compiledAt)} (revision ${s.revision ?? '-'})`,
    ...(s.segmentId ? [`  audience   segment ${s.segmentId}`] : []),
    ...(s.schedule ? [`  scheduled  ${scheduleLine(s.schedule)}`] : []),
    ...(s.archiveUrl ? [`  archive    ${s.archiveUrl}`] : []),
  ].join('\n');

const showEdition = (e: Edition) => {
  const lines = [
    `Edition ${e.number}: ${e.title}`,
    `  status ${e.status} · audience ${e.target ? `segment ${e.target.segmentId} of ` : ''}${e.audience} · revision ${e.revision ?? '-'}`,
    `  window ${day(e.windowStart)} → ${day(e.windowEnd)}`,
    ...(e.schedule ? [`  send scheduled ${scheduleLine(e.schedule)}`] : []),
    ...e.variants.map((v) => `  [${v.language}] ${v.subject}`),
  ];
  let section = '';
  for (const i of e.items) {
    if (i.section !== section) {
      section = i.section;
      lines.push('', `  ${section}`);
    }
    lines.push(`    - ${i.title} (${i.organisation})`);
  }
  if (!e.items.length) lines.push('', '  (no items)');
  if (e.skipped.length) {
    lines.push('', '  left out:');
    for (const s of e.skipped) lines.push(`    - ${s.title}: ${s.reason}`);
  }
  return lines.join('\n');
};

export function register(program: Command, ctx: CliContext): void {
  const editions = editionsCommand(program);

  editions
    .command('compile')
    .description('compile the next edition (or recompile the open draft) from approved updates')
    .option(
      '--from <date>',
      'window start (YYYY-MM-DD or ISO instant; default: start of the previous quarter)',
    )
    .option('--to <date>', 'window end, inclusive for a date (default: now)')
    .option('--async', 'start the compile in the background and return at once')
    .action(async (o: { from?: string; to?: string; async?: boolean }) => {
      const client = await ctx.client();
      const res = await client.request<{ edition?: Summary; accepted?: boolean; requestedAt?: string }>(
        'POST',
        '/admin/editions/compile',
        { body: { from: o.from, to: o.to, wait: !o.async } },
      );
      if (res.edition) return ctx.print(res.edition, showSummary);
      if (o.async || !res.requestedAt) return ctx.print(res, () => 'Compile started in the background.');
      // The API had no renderer (AWS): the compile function runs it; wait for its outcome.
      const deadline = Date.now() + 5 * 60_000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2000));
        const list = await client.request<{ lastCompile: CompileAttempt | null }>('GET', '/admin/editions');
        const last = list.lastCompile;
        if (last && last.at >= res.requestedAt) {
          if (!last.ok) throw new Error(`compile failed: ${last.error}`);
          const { edition } = await client.request<{ edition: Edition }>(
            'GET',
            `/admin/editions/${last.number}`,
          );
          return ctx.print(edition, showEdition);
        }
      }
      throw new Error('the compile did not finish within 5 minutes; check "gazette editions list" later');
    });

  editions
    .command('list')
    .description('all editions, newest first')
    .action(async () => {
      const client = await ctx.client();
      const res = await client.request<{ editions: Summary[]; lastCompile: CompileAttempt | null }>(
        'GET',
        '/admin/editions',
      );
      ctx.print(res, (r: typeof res) => {
        const rows = r.editions.map((e) => ({
          ...e,
          languages: e.languages.join(','),
          compiled: day(e.compiledAt),
          sent: day(e.sentAt),
        }));
        const last = r.lastCompile;
        const note = last && !last.ok ? `\n\nLast compile failed (${day(last.at)}): ${last.error}` : '';
        return table(rows, ['number', 'status', 'items', 'languages', 'compiled', 'sent', 'title']) + note;
      });
    });

  editions
    .command('show <number>')
    .description('one edition: sections, items, languages, what was left out')
    .action(async (n: string) => {
      const client = await ctx.client();
      const { edition } = await client.request<{ edition: Edition }>('GET', `/admin/editions/${num(n)}`);
      ctx.print(edition, showEdition);
    });

  const preview = async (n: string | undefined, o: { port: string; lang?: string; template: string }) => {
    const { startPreviewServer } = await import('./editions-preview.ts');
    const { findTemplatesDir } = await import('../../../adapters/mjml/mjml-renderer.ts');
    const templatesDir = findTemplatesDir();
    let languages: string[];
    let model: (lang: string) => Promise<Record<string, unknown>>;
    if (n) {
      const client = await ctx.client();
      const { edition } = await client.request<{ edition: Edition }>('GET', `/admin/editions/${num(n)}`);
      languages = edition.variants.map((v) => v.language);
      const cache = new Map<string, Promise<Record<string, unknown>>>();
      model = (lang) => {
        let m = cache.get(lang);
        if (!m) {
          m = client
            .request<{ model: Record<string, unknown> }>('GET', `/admin/editions/${edition.number}/model`, {
              query: { lang },
            })
            .then((r) => r.model);
          cache.set(lang, m);
        }
        return m;
      };
    } else {
      languages = readdirLanguages(templatesDir);
      // Re-read on every render: the sample data is one of the files being edited.
      model = async () =>
        JSON.parse(readFileSync(join(templatesDir, 'samples', `${o.template}.json`), 'utf8')) as Record<
          string,
          unknown
        >;
    }
    if (o.lang) languages = [o.lang, ...languages.filter((l) => l !== o.lang)];
    const server = await startPreviewServer({
      model,
      languages,
      port: Number(o.port),
      templatesDir,
      template: o.template,
    });
    ctx.print({ url: server.url, templatesDir: server.templatesDir }, () =>
      [
        `Preview: ${server.url}`,
        `Editing ${server.templatesDir}: the page reloads when a file changes. Ctrl-C to stop.`,
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop();
  };
  for (const cmd of [editions.command('preview [number]'), program.command('preview [number]')]) {
    cmd
      .description('preview the newsletter in a browser, live-reloading while you edit templates/')
      .option('--port <port>', 'port of the preview page', '8790')
      .option('--lang <lang>', 'language shown first')
      .option('--template <name>', 'template to preview', 'edition')
      .action(preview);
  }

  editions
    .command('test-send <number>')
    .description('send the edition to a few addresses, subject marked [TEST], with dummy personal links')
    .requiredOption('--to <addresses>', 'comma-separated addresses')
    .option('--lang <languages>', 'only these language variants (comma-separated); default: all')
    .action(async (n: string, o: { to: string; lang?: string }) => {
      const client = await ctx.client();
      const res = await client.request<{ sent: { to: string; language: string; messageId: string }[] }>(
        'POST',
        `/admin/editions/${num(n)}/test-send`,
        { body: { to: o.to.split(','), languages: o.lang?.split(',').map((l) => l.trim()) } },
      );
      ctx.print(
        res,
        (r: typeof res) =>
          `Sent ${r.sent.length} test mail(s):\n${table(r.sent, ['to', 'language', 'messageId'])}`,
      );
    });

  editions
    .command('approve <number>')
    .description('approve a draft for sending (records who and when)')
    .option(
      '--revision <id>',
      'approve only if the draft is still this revision (as shown by "editions show")',
    )
    .option('--by <name>', 'your name, recorded with the approval')
    .option('--segment <id>', 'send it to this saved segment (of newsletter readers) instead of every reader')
    .action(async (n: string, o: { revision?: string; by?: string; segment?: string }) => {
      const client = await ctx.client();
      const { edition } = await client.request<{ edition: Edition }>(
        'POST',
        `/admin/editions/${num(n)}/approve`,
        {
          body: { revision: o.revision, by: o.by, segmentId: o.segment },
        },
      );
      ctx.print(
        edition,
        (e: Edition) => `Edition ${e.number} approved by ${e.approvedBy} at ${day(e.approvedAt)}.`,
      );
    });

  editions
    .command('audience <number>')
    .description(
      'who the edition goes to: count, sample, languages and zones (a dry run); --set or --clear it',
    )
    .option('--segment <id>', 'show what this saved segment would reach, without choosing it')
    .option('--set <id>', 'choose this saved segment as the audience (approved editions, before the send)')
    .option('--clear', 'go back to every confirmed newsletter reader')
    .option('--sample <n>', 'how many recipients to list', '10')
    .action(async (n: string, o: { segment?: string; set?: string; clear?: boolean; sample: string }) => {
      const client = await ctx.client();
      if (o.set || o.clear)
        await client.request('PUT', `/admin/editions/${num(n)}/audience`, {
          body: { segmentId: o.clear ? null : o.set },
        });
      const p = await client.request<AudiencePreview>('GET', `/admin/editions/${num(n)}/audience`, {
        query: { sample: o.sample, segment: o.segment },
      });
      ctx.print(p, showAudience);
    });

  editions
    .command('send <number>')
    .description('send an approved edition now (refused when its audience is empty); --dry-run shows who')
    .option('--dry-run', 'only show the audience: count, sample, languages, zones', false)
    .option('--segment <id>', 'send to this saved segment (and keep it as the audience)')
    .option('--watch', 'follow progress until the send stops', false)
    .action(async (n: string, o: { dryRun: boolean; segment?: string; watch: boolean }) => {
      const client = await ctx.client();
      const res = await client.request<{ dryRun: boolean; audience?: AudiencePreview; send?: SendJob }>(
        'POST',
        `/admin/editions/${num(n)}/send`,
        { body: { dryRun: o.dryRun, segmentId: o.segment } },
      );
      if (res.dryRun && res.audience) return ctx.print(res.audience, showAudience);
      if (o.watch) return ctx.print(await watch(ctx, `edition#${num(n)}`), showStatus);
      ctx.print(res, () =>
        [
          `${res.send?.campaign}: ${res.send?.status}`,
          ...(res.audience
            ? [`  to ${res.audience.count} recipient(s): ${res.audience.target.description}`]
            : []),
        ].join('\n'),
      );
    });

  editions
    .command('schedule <number>')
    .description(
      'send an approved edition at a given time, e.g. --at "2027-01-05 09:00" --zone Asia/Shanghai',
    )
    .option('--at <time>', '"YYYY-MM-DD HH:MM" in the zone, or an ISO instant with an offset')
    .option('--zone <iana>', "time zone of --at (default: the edition's, GAZETTE_EDITION_TIMEZONE)")
    .option('--per-reader', "--at is each reader's own wall time (e.g. 09:00 wherever they are)")
    .option('--segment <id>', 'send to this saved segment (and keep it as the audience)')
    .option('--cancel', 'cancel the scheduled send (before it fires)')
    .action(
      async (
        n: string,
        o: { at?: string; zone?: string; segment?: string; cancel?: boolean; perReader?: boolean },
      ) => {
        const client = await ctx.client();
        if (!o.cancel && !o.at) throw new Error('give --at "YYYY-MM-DD HH:MM" (or --cancel)');
        const { edition } = o.cancel
          ? await client.request<{ edition: Edition }>('DELETE', `/admin/editions/${num(n)}/schedule`)
          : await client.request<{ edition: Edition }>('PUT', `/admin/editions/${num(n)}/schedule`, {
              body: { at: o.at, timeZone: o.zone, segmentId: o.segment, perReader: o.perReader },
            });
        ctx.print(edition, (e: Edition) =>
          e.schedule
            ? `Edition ${e.number} ${e.schedule.firedAt ? 'was scheduled for' : 'will be sent'} ${scheduleLine(e.schedule)}${e.target ? ` to segment ${e.target.segmentId}` : ''}.`
            : `Edition ${e.number} has no scheduled send.`,
        );
      },
    );

  editions
    .command('cancel <number>')
    .description('cancel a draft, approved or paused edition')
    .action(async (n: string) => {
      const client = await ctx.client();
      const { edition } = await client.request<{ edition: Edition }>(
        'POST',
        `/admin/editions/${num(n)}/cancel`,
      );
      ctx.print(edition, (e: Edition) => `Edition ${e.number} is ${e.status}.`);
    });

  editions
    .command('stats <number>')
    .description('sent, delivered, bounced, complained, opened, clicked, failed, suppressed-skipped')
    .action(async (n: string) => {
      const client = await ctx.client();
      const res = await client.request<{
        edition: Summary;
        stats: Record<string, number | string> & { links?: Record<string, number> };
      }>('GET', `/admin/editions/${num(n)}/stats`);
      ctx.print(res, (r: typeof res) => {
        const { campaign: _c, links, ...counters } = r.stats;
        // Clicks per link come most clicked first from the API.
        const clicks = Object.entries(links ?? {}).map(([url, c]) => `    ${String(c).padStart(6)}  ${url}`);
        return `Edition ${r.edition.number} (${r.edition.status})\n${Object.entries(counters)
          .map(([k, v]) => `  ${k.padEnd(18)} ${v}`)
          .join('\n')}${clicks.length ? `\n  clicks per link\n${clicks.join('\n')}` : ''}`;
      });
    });

  editions
    .command('archive <number>')
    .description('(re)publish a sent edition to the public archive, with the index page and Atom feed')
    .action(async (n: string) => {
      const client = await ctx.client();
      const res = await client.request<{ url: string }>('POST', `/admin/editions/${num(n)}/archive`);
      ctx.print(res, (r: typeof res) => `Published: ${r.url}`);
    });
}

function readdirLanguages(dir: string): string[] {
  const order = (l: string) => (l === 'en' ? '' : l);
  try {
    return readdirSync(join(dir, 'strings'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort((a, b) => order(a).localeCompare(order(b)));
  } catch {
    return ['en'];
  }
}
