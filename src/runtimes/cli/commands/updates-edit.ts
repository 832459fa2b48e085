/**
 * `gazette updates edit <id>`: correct any field of an update without approving it (PATCH /admin/updates/:id,
 * docs/inbound.md "Editing in moderation"), as the console's moderation page does. Times are ISO instants
 * with an offset, or wall times read in --zone; files are named by their file name.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { parseScheduleTime } from '../../../domain/edition-send.ts';
import { type Update, ValidationError } from '../../../domain/index.ts';
import { type CliContext, collect } from '../context.ts';

const NONE = 'none';

export interface EditOptions {
  title?: string;
  summary?: string;
  summaryFile?: string;
  bodyFile?: string;
  kind?: string;
  section?: string;
  zone?: string;
  eventStart?: string;
  eventEnd?: string;
  eventZone?: string;
  eventPlace?: string;
  event?: boolean;
  deadline?: string;
  link?: string[];
  clearLinks?: boolean;
  drop?: string[];
  restore?: string[];
  alt?: string[];
  member?: string;
  organisation?: string;
  trTitle?: string[];
  trSummary?: string[];
  trRemove?: string[];
  version?: string;
}

const HAS_OFFSET = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/** An instant with an offset as it is; a wall time only with a zone to read it in (never guessed as UTC). */
function instant(value: string, zone: string | undefined, flag: string): string {
  if (!HAS_OFFSET.test(value.trim()) && !zone)
    throw new ValidationError(
      `${flag} ${JSON.stringify(value)}: give --zone (or an ISO time with an offset)`,
    );
  try {
    return parseScheduleTime(value, zone ?? 'UTC').at.toISOString();
  } catch (e) {
    throw new ValidationError(`${flag}: ${(e as Error).message}`);
  }
}

/** "lang=text" pairs of a repeatable option. */
function pairs(values: string[] | undefined, flag: string): [string, string][] {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i < 1) throw new ValidationError(`${flag} ${JSON.stringify(v)}: write it as lang=text, e.g. zh=标题`);
    return [v.slice(0, i).trim(), v.slice(i + 1)];
  });
}

/** The file an option names: by file name, or by stored key. */
function fileKey(u: Update, name: string, flag: string): string {
  const all = [...u.attachments, ...(u.droppedAttachments ?? [])];
  const f = all.find((a) => a.filename === name || a.key === name);
  if (!f)
    throw new ValidationError(
      `${flag} ${JSON.stringify(name)}: no such file on ${u.updateId} (${all.map((a) => a.filename).join(', ') || 'it has none'})`,
    );
  return f.key;
}

function eventEdits(u: Update, o: EditOptions): Record<string, unknown> | null | undefined {
  if (o.event === false) return null;
  const given = [o.eventStart, o.eventEnd, o.eventZone, o.eventPlace].some((v) => v !== undefined);
  if (!given) return undefined;
  const eventZone = o.eventZone && o.eventZone !== NONE ? o.eventZone : undefined;
  const zone = o.zone ?? eventZone ?? u.event?.timeZone;
  const out: Record<string, unknown> = {};
  if (o.eventStart !== undefined) out.start = instant(o.eventStart, zone, '--event-start');
  if (o.eventEnd !== undefined)
    out.end = o.eventEnd === NONE ? null : instant(o.eventEnd, zone, '--event-end');
  if (o.eventZone !== undefined) out.timeZone = eventZone ?? null;
  if (o.eventPlace !== undefined) out.location = o.eventPlace === NONE ? null : o.eventPlace;
  if (!u.event && out.start === undefined)
    throw new ValidationError(`${u.updateId} has no event yet: give --event-start to add one`);
  return out;
}

function attachmentEdits(u: Update, o: EditOptions) {
  if (!o.drop?.length && !o.restore?.length && !o.alt?.length) return undefined;
  const kept = new Set(u.attachments.map((a) => a.key));
  for (const name of o.drop ?? []) kept.delete(fileKey(u, name, '--drop'));
  for (const name of o.restore ?? []) kept.add(fileKey(u, name, '--restore'));
  const alts = new Map(pairs(o.alt, '--alt').map(([name, text]) => [fileKey(u, name, '--alt'), text]));
  for (const key of alts.keys()) kept.add(key);
  const all = [...u.attachments, ...(u.droppedAttachments ?? [])];
  return all
    .filter((a) => kept.has(a.key))
    .map((a) => (alts.has(a.key) ? { key: a.key, alt: alts.get(a.key) || null } : a.key));
}

function translationEdits(o: EditOptions) {
  const out: Record<string, { title?: string; summary?: string } | null> = {};
  for (const [lang, title] of pairs(o.trTitle, '--tr-title')) out[lang] = { ...out[lang], title };
  for (const [lang, summary] of pairs(o.trSummary, '--tr-summary')) out[lang] = { ...out[lang], summary };
  for (const lang of o.trRemove ?? []) out[lang] = null;
  return Object.keys(out).length ? out : undefined;
}

/** The PATCH body for these options over the update as read (its version unless --version names one). */
export async function editsFromOptions(u: Update & { version?: number }, o: EditOptions) {
  const body: Record<string, unknown> = {
    title: o.title,
    summary: o.summaryFile ? await readFile(o.summaryFile, 'utf8') : o.summary,
    bodyText: o.bodyFile ? await readFile(o.bodyFile, 'utf8') : undefined,
    kind: o.kind,
    section: o.section,
    event: eventEdits(u, o),
    deadline:
      o.deadline === undefined
        ? undefined
        : o.deadline === NONE
          ? null
          : instant(o.deadline, o.zone ?? u.event?.timeZone, '--deadline'),
    links: o.clearLinks
      ? []
      : o.link?.map((l) => {
          const [url = '', ...label] = l.trim().split(/\s+/);
          return label.length ? { url, label: label.join(' ') } : { url };
        }),
    attachments: attachmentEdits(u, o),
    memberId: o.member,
    organisation: o.organisation,
    translations: translationEdits(o),
  };
  const edits = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  if (!Object.keys(edits).length)
    throw new ValidationError('nothing to change: see gazette updates edit --help');
  const version = o.version !== undefined ? Number(o.version) : u.version;
  return { ...edits, ...(version === undefined ? {} : { version }) };
}

export function registerUpdateEdit(updates: Command, ctx: CliContext, show: (u: Update) => string): void {
  updates
    .command('edit')
    .argument('<updateId>')
    .description(
      'correct an update without approving it (any field; a colleague’s change meanwhile is refused)',
    )
    .option('--title <title>')
    .option('--summary <text>')
    .option('--summary-file <path>', 'the summary from a file (line breaks and lists kept)')
    .option('--body-file <path>', 'the plain-text body from a file')
    .addOption(new Option('--kind <kind>').choices(['news', 'event', 'deadline', 'publication']))
    .addOption(new Option('--section <section>').choices(['events', 'news', 'publications', 'deadlines']))
    .option('--zone <tz>', 'read wall times ("2027-01-20 10:00") in this zone; default: the event’s zone')
    .option('--event-start <time>', 'ISO time with offset, or a wall time with --zone / --event-zone')
    .option('--event-end <time>', `end time, or '${NONE}'`)
    .option('--event-zone <tz>', `the zone the event is announced in, or '${NONE}'`)
    .option('--event-place <text>', `where it takes place, or '${NONE}'`)
    .option('--no-event', 'it is not an event: remove the event')
    .option('--deadline <time>', `the deadline (as --event-start), or '${NONE}'`)
    .option('--link <"url label">', 'a link (repeat for several); replaces the links', collect)
    .option('--clear-links', 'remove every link')
    .option(
      '--drop <file>',
      'do not publish this attachment (repeatable; kept aside, --restore brings it back)',
      collect,
    )
    .option('--restore <file>', 'publish a dropped attachment again (repeatable)', collect)
    .option('--alt <file=text>', 'alt text of a photo (repeatable)', collect)
    .option('--member <memberId>', 'show it as this member’s')
    .option('--organisation <name>', 'the organisation name shown')
    .option('--tr-title <lang=text>', 'translated title, e.g. zh=循环采购 (repeatable)', collect)
    .option('--tr-summary <lang=text>', 'translated summary (repeatable)', collect)
    .option('--tr-remove <lang>', 'remove a translation (repeatable)', collect)
    .option('--version <n>', 'the version you read (default: the one read now)')
    .action(async (id: string, o: EditOptions) => {
      const client = await ctx.client();
      const path = `/admin/updates/${encodeURIComponent(id)}`;
      const current = await client.request<Update & { version?: number }>('GET', path);
      const body = await editsFromOptions(current, o);
      ctx.print(await client.request<Update>('PATCH', path, { body }), show);
    });
}
