/**
 * `gazette subscribers …` and `gazette suppressions …`: all through the admin API
 * (/admin/subscribers, /admin/suppressions).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { readSpreadsheet } from '../../../adapters/spreadsheet/spreadsheet.ts';
import type { Subscriber, SubscriberEvent, Suppression } from '../../../domain/index.ts';
import { type AudiencePreview, ContactRole, describeFilter, type Segment } from '../../../domain/segment.ts';
import { readSubscriberCsv } from '../../../use-cases/subscribers/csv.ts';
import {
  firstByLine,
  IMPORT_REPORTED_MAX,
  type ImportReport,
  type ImportRow,
} from '../../../use-cases/subscribers/data.ts';
import { type CliContext, table } from '../context.ts';

/** Rows per import request: small enough for a live progress bar and well under API payload limits. */
const IMPORT_CHUNK = 250;

const list = (v: string) =>
  v
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const path = (idOrEmail: string) => `/admin/subscribers/${encodeURIComponent(idOrEmail)}`;

function showSubscriber(d: {
  subscriber: Subscriber;
  suppression: Suppression | null;
  history: SubscriberEvent[];
}): string {
  const s = d.subscriber;
  return [
    `${s.email}${s.name ? ` (${s.name})` : ''}   id ${s.subscriberId}`,
    `  status: ${s.status}   lists: ${s.audiences.join(', ')}   language: ${s.language}   time zone: ${s.timeZone}`,
    `  source: ${s.source}   consent: ${s.consentedAt ? `${s.consentedAt} (${s.consentSource ?? 'unknown'})` : 'none recorded'}`,
    `  created ${s.createdAt}${s.confirmedAt ? `   confirmed ${s.confirmedAt}` : ''}${s.unsubscribedAt ? `   unsubscribed ${s.unsubscribedAt}` : ''}`,
    `  soft bounces in a row: ${s.softBounces}`,
    d.suppression
      ? `  SUPPRESSED: ${d.suppression.reason} since ${d.suppression.at}${d.suppression.detail ? ` — ${d.suppression.detail}` : ''}`
      : '  not suppressed',
    '  history:',
    ...(d.history.length
      ? d.history.map(
          (e) =>
            `    ${e.at}  ${e.type}${e.campaign ? `  [${e.campaign}]` : ''}${e.detail ? `  ${e.detail}` : ''}`,
        )
      : ['    (none)']),
  ].join('\n');
}

function showReport(r: ImportReport & { format?: string }): string {
  const errorCount = r.errorCount ?? r.errors.length;
  const skippedCount = r.skippedCount ?? r.skipped.length;
  const lines = [
    `${r.dryRun ? 'DRY RUN — nothing written. ' : ''}${r.format ? `read as ${r.format}. ` : ''}${r.rows} rows: ${r.imported} imported, ${r.updated} confirmed, ${r.changed ? `${r.changed} updated, ` : ''}${r.alreadySubscribed} already subscribed, ${skippedCount} skipped, ${errorCount} with errors`,
  ];
  const more = (shown: number, all: number) =>
    all > shown ? [`  … and ${all - shown} more (the first ${shown} by line are listed)`] : [];
  if (r.errors.length)
    lines.push(
      '',
      'Errors (fix and import again):',
      ...r.errors.map((e) => `  line ${e.line}: ${e.reason}`),
      ...more(r.errors.length, errorCount),
    );
  if (r.skipped.length)
    lines.push(
      '',
      'Skipped:',
      ...r.skipped.map((s) => `  line ${s.line}: ${s.email} — ${s.reason}`),
      ...more(r.skipped.length, skippedCount),
    );
  return lines.join('\n');
}

/** Lines of a text (for the progress bar: rows are counted by the line they reach, header excluded). */
function lineCount(text: string): number {
  let n = text.length && !text.endsWith('\n') ? 1 : 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function register(program: Command, ctx: CliContext): void {
  const subs = program
    .command('subscribers')
    .description('newsletter and reminder subscribers: add, list, import, export, erase');

  subs
    .command('add')
    .argument('<email>')
    .description('add a subscriber (sends a double opt-in mail unless --consented)')
    .option('--name <name>', 'display name', '')
    .option('--language <tag>', 'language (en, zh, ja …)', 'en')
    .option('--time-zone <zone>', 'IANA time zone for reminder times', 'UTC')
    .option(
      '--audiences <lists>',
      'newsletter, reminders, member-announcements (comma-separated)',
      'newsletter',
    )
    .option('--consented', 'the person already agreed (recorded as consent given to an operator)', false)
    .option('--member <idOrName>', 'a contact of this member organisation (member id or organisation name)')
    .option('--role <role>', `role for the member: ${ContactRole.options.join(', ')}`)
    .option('--country <country>', "the person's own country (segments fall back to the member's)")
    .action(
      async (
        email: string,
        o: {
          name: string;
          language: string;
          timeZone: string;
          audiences: string;
          consented: boolean;
          member?: string;
          role?: string;
          country?: string;
        },
      ) => {
        const client = await ctx.client();
        const r = await client.request<{ subscriber: Subscriber; confirmationSent: boolean }>(
          'POST',
          '/admin/subscribers',
          {
            body: {
              email,
              name: o.name,
              language: o.language,
              timeZone: o.timeZone,
              audiences: list(o.audiences),
              consent: o.consented,
              member: o.member,
              memberRole: o.role,
              country: o.country,
            },
          },
        );
        ctx.print(r, (d: typeof r) =>
          d.confirmationSent
            ? `${d.subscriber.email}: opt-in mail sent; they receive nothing until they confirm.`
            : `${d.subscriber.email}: subscribed (${d.subscriber.audiences.join(', ')}).`,
        );
      },
    );

  subs
    .command('list')
    .description('list subscribers in one status')
    .addOption(
      new Option('--status <status>', 'which ones')
        .choices(['confirmed', 'unconfirmed', 'unsubscribed'])
        .default('confirmed'),
    )
    .option('--limit <n>', 'page size', '100')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--all', 'every page', false)
    .action(async (o: { status: string; limit: string; cursor?: string; all: boolean }) => {
      const client = await ctx.client();
      const items: Subscriber[] = [];
      let cursor = o.cursor;
      do {
        const page = await client.request<{ items: Subscriber[]; cursor?: string }>(
          'GET',
          '/admin/subscribers',
          {
            query: { status: o.status, limit: o.limit, cursor },
          },
        );
        items.push(...page.items);
        cursor = page.cursor;
      } while (o.all && cursor);
      const out = { status: o.status, items, cursor };
      ctx.print(out, (d: typeof out) =>
        [
          table(
            d.items.map((s) => ({ ...s, audiences: s.audiences.join(' ') })),
            ['email', 'name', 'status', 'audiences', 'language', 'timeZone', 'source', 'createdAt'],
          ),
          d.cursor ? `\nmore: gazette subscribers list --status ${d.status} --cursor ${d.cursor}` : '',
        ].join(''),
      );
    });

  subs
    .command('show')
    .argument('<emailOrId>')
    .description('one subscriber: record, suppression, history')
    .action(async (id: string) => {
      const client = await ctx.client();
      ctx.print(await client.request('GET', path(id)), showSubscriber);
    });

  subs
    .command('import')
    .argument(
      '<file>',
      'CSV with a header row: email (required), name, language, time_zone, audiences, consent, consented_at',
    )
    .description(
      'import subscribers who already consented (consent=yes); bad rows are reported with line numbers',
    )
    .option('--dry-run', 'check the file and report, write nothing', false)
    .option(
      '--update',
      'existing subscribers get the name, language, time zone, member, role and country of their row',
      false,
    )
    .option(
      '--encoding <name>',
      'the CSV encoding when the guess is wrong (utf-8, gb18030, big5, shift_jis, euc-kr, windows-1252 …)',
    )
    .action(async (file: string, o: { dryRun: boolean; update: boolean; encoding?: string }) => {
      // CSV in whatever encoding and separator it was saved with, or an .xlsx workbook. The file and its
      // text are read whole (the encoding is guessed from all of it); its rows are read and sent 250 at a
      // time, never all held (docs/performance.md).
      const sheet = await readSpreadsheet(await readFile(file), { fileName: file, encoding: o.encoding });
      const rows = readSubscriberCsv(sheet.text, { delimiter: sheet.delimiter });
      const client = await ctx.client();
      const errors = firstByLine<ImportReport['errors'][number]>(IMPORT_REPORTED_MAX);
      const skipped = firstByLine<ImportReport['skipped'][number]>(IMPORT_REPORTED_MAX);
      const counts = { rows: 0, imported: 0, updated: 0, alreadySubscribed: 0, changed: 0 };
      const lines = lineCount(sheet.text);
      const bar = ctx.progress('importing', Math.max(0, lines - 1));
      // The server checks duplicates within one request; across requests the CLI does it.
      const first = new Map<string, number>();
      let chunk: ImportRow[] = [];
      const send = async (upTo: number) => {
        if (chunk.length) {
          const r = await client.request<ImportReport>('POST', '/admin/subscribers/import', {
            body: { rows: chunk, dryRun: o.dryRun, update: o.update },
          });
          counts.imported += r.imported;
          counts.updated += r.updated;
          counts.alreadySubscribed += r.alreadySubscribed ?? 0;
          counts.changed += r.changed ?? 0;
          for (const s of r.skipped) skipped.add(s);
          for (const e of r.errors) errors.add(e);
          chunk = [];
        }
        bar.update(Math.max(0, upTo - 1));
      };
      try {
        for (const row of rows) {
          counts.rows++;
          const key = (row.values.email ?? '').trim().toLowerCase();
          const seen = key ? first.get(key) : undefined;
          if (seen !== undefined) errors.add({ line: row.line, reason: `duplicate of line ${seen}` });
          else {
            if (key) first.set(key, row.line);
            chunk.push(row);
          }
          if (chunk.length >= IMPORT_CHUNK) await send(row.line);
        }
        await send(lines);
      } finally {
        bar.stop();
      }
      const total: ImportReport & { format: string } = {
        ...counts,
        skipped: skipped.list(),
        skippedCount: skipped.count,
        skippedTruncated: skipped.count > IMPORT_REPORTED_MAX,
        errors: errors.list(),
        errorCount: errors.count,
        errorsTruncated: errors.count > IMPORT_REPORTED_MAX,
        dryRun: o.dryRun,
        format:
          sheet.format === 'xlsx'
            ? 'xlsx'
            : `${sheet.encoding} CSV, ${sheet.delimiter === '\t' ? 'tab' : sheet.delimiter}-separated`,
      };
      ctx.print(total, showReport);
      // Scripts can tell a clean import from one that needs fixing.
      if (total.errorCount) process.exitCode = 2;
    });

  subs
    .command('update')
    .argument('<emailOrId>')
    .description('change a subscriber: name, language, time zone, lists, member link, role, country')
    .option('--name <name>', 'display name')
    .option('--language <tag>', 'language (en, zh, zh-Hant, ja, ko …)')
    .option('--time-zone <zone>', 'IANA time zone (reminders arrive at their local hour)')
    .option('--audiences <lists>', 'newsletter, reminders, member-announcements (replaces the lists)')
    .option('--member <idOrName>', "member organisation (id or name); 'none' unlinks")
    .option('--role <role>', `${ContactRole.options.join(', ')}; 'none' removes it`)
    .option('--country <country>', "the person's own country; 'none' removes it")
    .option('--if-version <n>', 'refuse if the record changed since this version')
    .action(
      async (
        id: string,
        o: {
          name?: string;
          language?: string;
          timeZone?: string;
          audiences?: string;
          member?: string;
          role?: string;
          country?: string;
          ifVersion?: string;
        },
      ) => {
        const none = (v: string | undefined) => (v === 'none' ? null : v);
        const body = Object.fromEntries(
          Object.entries({
            name: o.name,
            language: o.language,
            timeZone: o.timeZone,
            audiences: o.audiences === undefined ? undefined : list(o.audiences),
            member: none(o.member),
            memberRole: none(o.role),
            country: none(o.country),
            ifVersion: o.ifVersion === undefined ? undefined : Number(o.ifVersion),
          }).filter(([, v]) => v !== undefined),
        );
        const client = await ctx.client();
        const r = await client.request<{ subscriber: Subscriber; changed: string[] }>('PATCH', path(id), {
          body,
        });
        ctx.print(r, (d: typeof r) =>
          d.changed.length
            ? `${d.subscriber.email}: changed ${d.changed.join(', ')}`
            : `${d.subscriber.email}: nothing changed`,
        );
      },
    );

  subs
    .command('contacts')
    .argument('<member>', 'member id or organisation name')
    .description(
      "a member's contacts, and its allowed senders offered as contacts (never added by themselves)",
    )
    .action(async (member: string) => {
      const client = await ctx.client();
      const r = await client.request<{
        member: { memberId: string; organisation: string; type: string };
        contacts: Subscriber[];
        suggested: { email: string; command: string }[];
      }>('GET', '/admin/contacts', { query: { member } });
      ctx.print(r, (d: typeof r) =>
        [
          `${d.member.organisation} (${d.member.memberId}, ${d.member.type})`,
          table(
            d.contacts.map((c) => ({ ...c, role: c.memberRole ?? '' })),
            ['email', 'name', 'role', 'status', 'language', 'timeZone'],
          ),
          ...(d.suggested.length
            ? [
                '',
                'Allowed senders who are not contacts (add them if they should get member mail):',
                ...d.suggested.map((x) => `  ${x.command}`),
              ]
            : []),
        ].join('\n'),
      );
    });

  subs
    .command('export')
    .description('all subscribers as CSV or JSON, or (with --email) everything held about one address')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'json']).default('csv'))
    .option('--status <statuses>', 'only these statuses (comma-separated)')
    .option('--email <address>', 'GDPR access request: export everything about this address (JSON)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (o: { format: string; status?: string; email?: string; output?: string }) => {
      const client = await ctx.client();
      const res = await client.raw('GET', '/admin/subscribers/export', {
        query: o.email ? { email: o.email } : { format: o.format, status: o.status },
      });
      let text = await res.text();
      if (!res.ok) {
        const { ApiError } = await import('../api-client.ts');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        throw new ApiError(res.status, body);
      }
      // A person's data export is read by people: indent it unless --json asked for one line.
      if (o.email && !ctx.json) text = JSON.stringify(JSON.parse(text), null, 2);
      if (o.output) {
        await writeFile(o.output, text);
        const count = o.email ? 1 : Number(res.headers.get('x-gazette-count') ?? 0);
        ctx.print(
          { file: o.output, count },
          () => `wrote ${o.output}${o.email ? '' : ` (${count} subscribers)`}`,
        );
      } else {
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    });

  subs
    .command('erase')
    .argument('<emailOrId>')
    .description(
      'delete-my-data: remove the subscriber and its history, keep only a hashed suppression entry',
    )
    .option('--yes', 'really erase (cannot be undone)', false)
    .action(async (id: string, o: { yes: boolean }) => {
      if (!o.yes) throw new Error(`erasing ${id} cannot be undone: run again with --yes`);
      const client = await ctx.client();
      const r = await client.request<{ erased: boolean; emailHash: string }>('DELETE', path(id));
      ctx.print(r, (d: typeof r) =>
        d.erased
          ? `erased; only the hash ${d.emailHash.slice(0, 16)}… remains on the suppression list`
          : `no subscriber record; the address hash ${d.emailHash.slice(0, 16)}… is on the suppression list`,
      );
    });

  registerSegments(program, ctx);

  const supp = program
    .command('suppressions')
    .description('addresses Gazette never mails (bounces, complaints, erasures, manual)');

  supp
    .command('list')
    .description('every suppressed address, newest first')
    .action(async () => {
      const client = await ctx.client();
      const r = await client.request<{ items: Suppression[] }>('GET', '/admin/suppressions');
      ctx.print(r, (d: typeof r) =>
        table(
          d.items.map((s) => ({ ...s, email: s.email ?? '(erased)', hash: s.emailHash.slice(0, 12) })),
          ['email', 'reason', 'at', 'hash', 'detail'],
        ),
      );
    });

  supp
    .command('add')
    .argument('<email>')
    .description('never mail this address again')
    .addOption(
      new Option('--reason <reason>', 'why')
        .choices(['manual', 'hard-bounce', 'soft-bounce-threshold', 'complaint'])
        .default('manual'),
    )
    .option('--detail <text>', 'a note for colleagues')
    .action(async (email: string, o: { reason: string; detail?: string }) => {
      const client = await ctx.client();
      const r = await client.request<Suppression>('POST', '/admin/suppressions', {
        body: { email, reason: o.reason, detail: o.detail },
      });
      ctx.print(r, (d: typeof r) => `${d.email ?? email}: suppressed (${d.reason}) since ${d.at}`);
    });

  supp
    .command('remove')
    .argument('<emailOrHash>', 'the address, or the 64-character hash of an erased one')
    .description('allow mail to this address again (it still needs an active subscription)')
    .action(async (key: string) => {
      const client = await ctx.client();
      const r = await client.request<{ removed: Suppression }>(
        'DELETE',
        `/admin/suppressions/${encodeURIComponent(key)}`,
      );
      ctx.print(
        r,
        (d: typeof r) => `removed: ${d.removed.email ?? d.removed.emailHash} (was ${d.removed.reason})`,
      );
    });
}

/** `gazette segments …`: saved audiences (/admin/segments) and previews (/admin/audiences/preview). */
function registerSegments(program: Command, ctx: CliContext): void {
  const seg = program
    .command('segments')
    .description('saved audiences: filters over subscribers that deadlines, events and editions target');
  const filterOptions = (c: Command) =>
    c
      .option('--lists <lists>', 'newsletter, reminders, member-announcements (any of them)')
      .option('--member-types <types>', 'council, secretariat, advisory, network, associate')
      .option('--members <ids>', 'member ids')
      .option('--members-only', 'contacts of any active member', false)
      .option('--roles <roles>', ContactRole.options.join(', '))
      .option('--countries <names>', "member's or subscriber's country")
      .option('--languages <tags>', 'language tags (zh also matches zh-Hant)')
      .option('--statuses <statuses>', 'confirmed (default), unconfirmed, unsubscribed');
  type FilterOpts = {
    lists?: string;
    memberTypes?: string;
    members?: string;
    membersOnly?: boolean;
    roles?: string;
    countries?: string;
    languages?: string;
    statuses?: string;
  };
  const filterOf = (o: FilterOpts) =>
    Object.fromEntries(
      Object.entries({
        lists: o.lists,
        memberTypes: o.memberTypes,
        memberIds: o.members,
        members: o.membersOnly || undefined,
        roles: o.roles,
        countries: o.countries,
        languages: o.languages,
        statuses: o.statuses,
      }).filter(([, v]) => v !== undefined),
    );
  const showPreview = (p: AudiencePreview & { description?: string }) =>
    [
      `${p.description ? `${p.description}: ` : ''}${p.count} subscriber(s)`,
      `  languages: ${
        Object.entries(p.byLanguage)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '–'
      }`,
      `  time zones: ${
        Object.entries(p.byTimeZone)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '–'
      }`,
      table(p.sample, ['email', 'name', 'language', 'timeZone', 'memberId', 'memberRole']),
    ].join('\n');

  seg
    .command('list')
    .description('every saved segment')
    .action(async () => {
      const client = await ctx.client();
      const r = await client.request<{ items: Segment[] }>('GET', '/admin/segments');
      ctx.print(r, (d: typeof r) =>
        table(
          d.items.map((x) => ({ ...x, filter: describeFilter(x.filter) })),
          ['segmentId', 'name', 'filter', 'updatedAt'],
        ),
      );
    });

  filterOptions(
    seg
      .command('add')
      .argument('<id>', 'a-z, 0-9 and -, e.g. council-contacts')
      .requiredOption('--name <name>', 'what it is, for people')
      .option('--description <text>', 'why it exists'),
  ).action(async (id: string, o: FilterOpts & { name: string; description?: string }) => {
    const client = await ctx.client();
    const r = await client.request<Segment>('POST', '/admin/segments', {
      body: { segmentId: id, name: o.name, description: o.description ?? '', filter: filterOf(o) },
    });
    ctx.print(r, (d: Segment) => `segment ${d.segmentId}: ${describeFilter(d.filter)}`);
  });

  filterOptions(
    seg
      .command('update')
      .argument('<id>')
      .option('--name <name>', 'new name')
      .option('--description <text>', 'new description'),
  ).action(async (id: string, o: FilterOpts & { name?: string; description?: string }) => {
    const filter = filterOf(o);
    const client = await ctx.client();
    const r = await client.request<Segment>('PATCH', `/admin/segments/${encodeURIComponent(id)}`, {
      body: Object.fromEntries(
        Object.entries({
          name: o.name,
          description: o.description,
          filter: Object.keys(filter).length ? filter : undefined,
        }).filter(([, v]) => v !== undefined),
      ),
    });
    ctx.print(r, (d: Segment) => `segment ${d.segmentId} v${d.version}: ${describeFilter(d.filter)}`);
  });

  seg
    .command('remove')
    .argument('<id>')
    .action(async (id: string) => {
      const client = await ctx.client();
      const r = await client.request('DELETE', `/admin/segments/${encodeURIComponent(id)}`);
      ctx.print(r, () => `segment ${id} removed`);
    });

  filterOptions(
    seg
      .command('preview')
      .argument('[id]', 'a saved segment; without it, the filter given by the options')
      .option('--sample <n>', 'how many to list', '10'),
  ).action(async (id: string | undefined, o: FilterOpts & { sample: string }) => {
    const client = await ctx.client();
    const r = id
      ? await client.request<AudiencePreview>('GET', `/admin/segments/${encodeURIComponent(id)}/preview`, {
          query: { sample: o.sample },
        })
      : await client.request<AudiencePreview>('POST', '/admin/audiences/preview', {
          body: { filter: filterOf(o), sample: Number(o.sample) },
        });
    ctx.print(r, showPreview);
  });
}
