/**
 * `gazette subscribers …` and `gazette suppressions …`: all through the admin API
 * (/admin/subscribers, /admin/suppressions).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { readSpreadsheet } from '../../../adapters/spreadsheet/spreadsheet.ts';
import type { Subscriber, SubscriberEvent, Suppression } from '../../../domain/index.ts';
import { type AudiencePreview, ContactRole, describeFilter, type Segment } from '../../../domain/segment.ts';
import { parseSubscriberCsv } from '../../../use-cases/subscribers/csv.ts';
import type { ImportReport, ImportRow } from '../../../use-cases/subscribers/data.ts';
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
  const lines = [
    `${r.dryRun ? 'DRY RUN — nothing written. ' : ''}${r.format ? `read as ${r.format}. ` : ''}${r.rows} rows: ${r.imported} imported, ${r.updated} confirmed, ${r.changed ? `${r.changed} updated, ` : ''}${r.alreadySubscribed} already subscribed, ${r.skipped.length} skipped, ${r.errors.length} with errors`,
  ];
  if (r.errors.length)
    lines.push('', 'Errors (fix and import again):', ...r.errors.map((e) => `  line ${e.line}: ${e.reason}`));
  if (r.skipped.length)
    lines.push('', 'Skipped:', ...r.skipped.map((s) => `  line ${s.line}: ${s.email} — ${s.reason}`));
  return lines.join('\n');
}

/** The server checks duplicates within one request; across chunks the CLI does it. */
function splitDuplicates(rows: ImportRow[]) {
  const first = new Map<string, number>();
  const unique: ImportRow[] = [];
  const duplicates: ImportReport['errors'] = [];
  for (const row of rows) {
    const key = (row.values.email ?? '').trim().toLowerCase();
    const seen = key ? first.get(key) : undefined;
    if (seen !== undefined) duplicates.push({ line: row.line, reason: `duplicate of line ${seen}` });
    else {
      if (key) first.set(key, row.line);
      unique.push(row);
    }
  }
  return { unique, duplicates };
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
      // CSV in whatever encoding and separator it was saved with, or an .xlsx workbook.
      const sheet = await readSpreadsheet(await readFile(file), { fileName: file, encoding: o.encoding });
      const rows = parseSubscriberCsv(sheet.text, { delimiter: sheet.delimiter });
      const { unique, duplicates } = splitDuplicates(rows);
      const client = await ctx.client();
      const total: ImportReport & { format: string } = {
        rows: rows.length,
        imported: 0,
        updated: 0,
        alreadySubscribed: 0,
        changed: 0,
        skipped: [],
        errors: [...duplicates],
        dryRun: o.dryRun,
        format:
          sheet.format === 'xlsx'
            ? 'xlsx'
            : `${sheet.encoding} CSV, ${sheet.delimiter === '\t' ? 'tab' : sheet.delimiter}-separated`,
      };
      const bar = ctx.progress('importing', rows.length);
      let done = duplicates.length;
      try {
        for (let i = 0; i < unique.length; i += IMPORT_CHUNK) {
          const chunk = unique.slice(i, i + IMPORT_CHUNK);
          const r = await client.request<ImportReport>('POST', '/admin/subscribers/import', {
            body: { rows: chunk, dryRun: o.dryRun, update: o.update },
          });
          total.imported += r.imported;
          total.updated += r.updated;
          total.alreadySubscribed += r.alreadySubscribed ?? 0;
          total.changed += r.changed ?? 0;
          total.skipped.push(...r.skipped);
          total.errors.push(...r.errors);
          done += chunk.length;
          bar.update(done);
        }
      } finally {
        bar.stop();
      }
      total.skipped.sort((a, b) => a.line - b.line);
      total.errors.sort((a, b) => a.line - b.line);
      ctx.print(total, showReport);
      // Scripts can tell a clean import from one that needs fixing.
      if (total.errors.length) process.exitCode = 2;
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
