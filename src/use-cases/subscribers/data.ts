/**
 * Import, export, GDPR access (everything held about one address) and erasure, plus the admin look-ups.
 */
import * as z from 'zod';
import {
  Audience,
  ConflictError,
  ContactRole,
  ContactRoleInput,
  Email,
  emailHash,
  Instant,
  Language,
  NotFoundError,
  Subscriber,
  type SubscriberEvent,
  type SubscriptionStatus,
  SuppressedError,
  type Suppression,
  SuppressionReason,
  subscriberIdFor,
  TimeZone,
  ValidationError,
} from '../../domain/index.ts';
import { parseInput } from '../../domain/validate.ts';
import { makeMemberResolver } from './contacts.ts';
import { mutate, type SubscribersDeps } from './deps.ts';
import { confirmationMail } from './mails.ts';

// ---------------------------------------------------------------------------------------------------------
// Import

/** One data row of an import: its line number in the file (header = line 1) and its cells by column. */
export interface ImportRow {
  line: number;
  values: Record<string, string>;
}

export const ImportRows = z.object({
  rows: z
    .array(z.object({ line: z.number().int().positive(), values: z.record(z.string(), z.string()) }))
    .max(5000, 'send at most 5000 rows per request'),
  dryRun: z.boolean().default(false),
  /** Existing subscribers get the row's name, language, zone, member link, role and country (--update). */
  update: z.boolean().default(false),
});

export interface ImportReport {
  rows: number;
  /** New confirmed subscribers. */
  imported: number;
  /** Existing unconfirmed records confirmed by the import's recorded consent. */
  updated: number;
  /** Confirmed subscribers already there: counted once, not listed per line (with --update: left unchanged). */
  alreadySubscribed: number;
  /** With --update: confirmed subscribers whose row changed something (name, language, member …). */
  changed: number;
  /**
   * Valid rows deliberately not imported, with the reason (already subscribed, unsubscribed, suppressed, no
   * consent): the first IMPORT_REPORTED_MAX by line; `skippedCount` counts them all.
   */
  skipped: { line: number; email: string; reason: string }[];
  skippedCount: number;
  /** More rows were skipped than `skipped` lists. */
  skippedTruncated: boolean;
  /** Rows that are wrong, with the reason: the first IMPORT_REPORTED_MAX by line; `errorCount` counts them all. */
  errors: { line: number; reason: string }[];
  errorCount: number;
  /** More rows had errors than `errors` lists. */
  errorsTruncated: boolean;
  dryRun: boolean;
}

/** Rows validated, then written (eight at a time) before the next are read: what an import holds at once. */
export const IMPORT_BATCH = 500;
/** Errors and skipped rows listed per report (the first by line); the counts cover every row. */
export const IMPORT_REPORTED_MAX = 1000;

/** The `max` entries with the lowest line numbers among everything added, and how many were added. */
export function firstByLine<T extends { line: number }>(max: number) {
  let items: T[] = [];
  let count = 0;
  const byLine = (a: T, b: T) => a.line - b.line;
  return {
    add(item: T) {
      count++;
      items.push(item);
      // Trimmed now and then rather than kept sorted: rows arrive nearly in line order.
      if (items.length >= 2 * max) items = items.sort(byLine).slice(0, max);
    },
    get count() {
      return count;
    },
    list: () => items.sort(byLine).slice(0, max),
  };
}

const YES = new Set(['yes', 'y', 'true', '1', 'x', 'opt-in', 'optin', '是']);
const NO = new Set(['', 'no', 'n', 'false', '0', '否']);

type RowResult =
  | { kind: 'error'; reason: string }
  | {
      kind: 'ok';
      subscriber: Subscriber;
      consent: boolean;
      suppressed?: string;
      /** The member column as written (an id or an organisation name), resolved by the import. */
      member?: string;
      /** Columns this row fills in (what an --update may change). */
      given: UpdatableField[];
    };

/** What a re-import with --update may change on an existing subscriber (only where the row has a value). */
const UPDATABLE = ['name', 'language', 'timeZone', 'memberId', 'memberRole', 'country'] as const;
type UpdatableField = (typeof UPDATABLE)[number];

/** "Main contact", "main_contact", "survey focal point" → the ContactRole enum value, or undefined. */
export function contactRoleOf(text: string): ContactRole | undefined {
  const r = ContactRoleInput.safeParse(text);
  return r.success ? r.data : undefined;
}

/** Undoes the export's formula guard (see `cell`): "'=x" was written for "=x". */
const undefuse = (s: string | undefined) => (s !== undefined && /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

function validateRow(row: ImportRow, nowIso: string, idKey: string): RowResult {
  const v: Record<string, string | undefined> = {
    ...row.values,
    email: undefuse(row.values.email),
    name: undefuse(row.values.name),
  };
  if (v.__fieldCount) return { kind: 'error', reason: 'number of fields differs from the header' };
  if (!v.email) return { kind: 'error', reason: 'email is missing' };
  const email = Email.safeParse(v.email);
  if (!email.success)
    return { kind: 'error', reason: `email ${JSON.stringify(v.email)} is not a valid address` };
  const consentText = (v.consent ?? '').toLowerCase();
  if (!YES.has(consentText) && !NO.has(consentText)) {
    return { kind: 'error', reason: `consent must be yes or no, not ${JSON.stringify(v.consent)}` };
  }
  const language = Language.safeParse(v.language || 'en');
  if (!language.success)
    return {
      kind: 'error',
      reason: `language ${JSON.stringify(v.language)} is not a language tag such as en or zh-Hans`,
    };
  const timeZone = TimeZone.safeParse(v.timeZone || 'UTC');
  if (!timeZone.success)
    return {
      kind: 'error',
      reason: `time zone ${JSON.stringify(v.timeZone)} is not an IANA zone such as Asia/Shanghai`,
    };
  const names = (v.audiences || 'newsletter').split(/[\s,;|]+/).filter(Boolean);
  const audiences = z
    .array(Audience)
    .min(1)
    .safeParse([...new Set(names)]);
  if (!audiences.success) {
    return {
      kind: 'error',
      reason: `audiences must be among ${Audience.options.join(', ')} (got ${JSON.stringify(v.audiences)})`,
    };
  }
  let consentedAt: string | undefined;
  if (v.consentedAt) {
    const d = new Date(v.consentedAt);
    if (Number.isNaN(d.getTime()))
      return { kind: 'error', reason: `consented_at ${JSON.stringify(v.consentedAt)} is not a date` };
    consentedAt = d.toISOString();
    if (consentedAt > nowIso) return { kind: 'error', reason: 'consented_at is in the future' };
  }
  if ((v.name ?? '').length > 200) return { kind: 'error', reason: 'name is longer than 200 characters' };
  const memberRole = v.memberRole ? contactRoleOf(v.memberRole) : undefined;
  if (v.memberRole && !memberRole)
    return {
      kind: 'error',
      reason: `role ${JSON.stringify(v.memberRole)} is not one of ${ContactRole.options.join(', ')}`,
    };
  if ((v.country ?? '').length > 100)
    return { kind: 'error', reason: 'country is longer than 100 characters' };
  if (memberRole && !v.member) return { kind: 'error', reason: 'a role needs the member column' };
  const consent = YES.has(consentText);
  const filled: Record<UpdatableField, string | undefined> = {
    name: v.name,
    language: v.language,
    timeZone: v.timeZone,
    memberId: v.member,
    memberRole: v.memberRole,
    country: v.country,
  };
  return {
    kind: 'ok',
    consent,
    member: v.member || undefined,
    given: UPDATABLE.filter((f) => Boolean(filled[f]?.trim())),
    // The export's mark of a suppressed address (bounced, complained…): the reason, or empty.
    suppressed: v.suppressed?.trim() || undefined,
    subscriber: Subscriber.parse({
      subscriberId: subscriberIdFor(email.data, idKey),
      email: email.data,
      name: v.name ?? '',
      language: language.data,
      timeZone: timeZone.data,
      audiences: audiences.data,
      status: 'confirmed',
      source: 'import',
      createdAt: nowIso,
      updatedAt: nowIso,
      confirmedAt: nowIso,
      consentedAt: consent ? (consentedAt ?? nowIso) : undefined,
      consentSource: 'import',
      ...(memberRole ? { memberRole } : {}),
      ...(v.country?.trim() ? { country: v.country.trim() } : {}),
    }),
  };
}

/**
 * Import decisions (docs/subscribers.md):
 *  - a row becomes a confirmed subscriber only with consent=yes: the operator attests that this person opted in
 *    (the import records when and that it came from an import); rows without it are skipped, not stored, since
 *    an address nobody may mail is personal data without a purpose;
 *  - unsubscribed or suppressed addresses are never (re-)subscribed; existing confirmed subscribers are left as
 *    they are (their own preferences win over a spreadsheet).
 * Rows are read as they come (an array, or readSubscriberCsv's rows piece by piece) and written in batches of
 * IMPORT_BATCH: what grows with the file is only the addresses seen (to name a duplicate's first line) and
 * the counts, so 100,000 lines take the memory of 10,000 (docs/performance.md).
 */
export function makeImportSubscribers(deps: SubscribersDeps, limits: { batch?: number } = {}) {
  const batchSize = limits.batch ?? IMPORT_BATCH;
  return async (
    rows: Iterable<ImportRow> | AsyncIterable<ImportRow>,
    opts: { dryRun?: boolean; update?: boolean } = {},
  ): Promise<ImportReport> => {
    const nowIso = deps.clock.now().toISOString();
    const idKey = await deps.tokenSecret();
    const errors = firstByLine<ImportReport['errors'][number]>(IMPORT_REPORTED_MAX);
    const skipped = firstByLine<ImportReport['skipped'][number]>(IMPORT_REPORTED_MAX);
    const counts = { rows: 0, imported: 0, updated: 0, alreadySubscribed: 0, changed: 0 };
    const dryRun = Boolean(opts.dryRun);
    const write = makeImportWrite(deps, { nowIso, dryRun, update: Boolean(opts.update), counts, skipped });
    const resolveMember = makeMemberResolver(deps.members);
    const seen = new Map<string, number>();
    let batch: ImportWork[] = [];
    const flush = async () => {
      const b = batch;
      batch = [];
      await eachLimited(b, 8, write);
    };
    for await (const row of rows) {
      counts.rows++;
      const r = validateRow(row, nowIso, idKey);
      if (r.kind === 'error') {
        errors.add({ line: row.line, reason: r.reason });
        continue;
      }
      if (r.member) {
        const m = await resolveMember(r.member);
        if (m.kind === 'error') {
          errors.add({ line: row.line, reason: m.reason });
          continue;
        }
        r.subscriber.memberId = m.memberId;
      }
      const first = seen.get(r.subscriber.email);
      if (first !== undefined) {
        errors.add({ line: row.line, reason: `duplicate of line ${first}` });
        continue;
      }
      seen.set(r.subscriber.email, row.line);
      batch.push({ line: row.line, ...r });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return {
      ...counts,
      skipped: skipped.list(),
      skippedCount: skipped.count,
      skippedTruncated: skipped.count > IMPORT_REPORTED_MAX,
      errors: errors.list(),
      errorCount: errors.count,
      errorsTruncated: errors.count > IMPORT_REPORTED_MAX,
      dryRun,
    };
  };
}

interface ImportWork {
  line: number;
  subscriber: Subscriber;
  consent: boolean;
  suppressed?: string;
  given: UpdatableField[];
}

/** What one valid, first-of-its-address row does to the store (and the counts it moves). */
function makeImportWrite(
  deps: SubscribersDeps,
  ctx: {
    nowIso: string;
    dryRun: boolean;
    update: boolean;
    counts: Pick<ImportReport, 'imported' | 'updated' | 'alreadySubscribed' | 'changed'>;
    skipped: { add(s: ImportReport['skipped'][number]): void };
  },
) {
  const { nowIso, counts } = ctx;
  const skip = (line: number, email: string, reason: string) => ctx.skipped.add({ line, email, reason });
  return async ({ line, subscriber, consent, suppressed, given }: ImportWork) => {
    // Suppressed where the file was exported (an export of another Gazette marks the address).
    if (suppressed)
      return skip(
        line,
        subscriber.email,
        `suppressed (${suppressed.slice(0, 50)}) in the file: never imported`,
      );
    const suppression = await deps.suppressions.get(subscriber.email);
    if (suppression)
      return skip(line, subscriber.email, `suppressed (${suppression.reason}): never imported`);
    const existing = await deps.subscribers.get(subscriber.subscriberId);
    if (existing?.status === 'unsubscribed') {
      return skip(
        line,
        subscriber.email,
        `unsubscribed on ${existing.unsubscribedAt ?? 'an earlier date'}: imports never re-subscribe`,
      );
    }
    if (existing?.status === 'confirmed') {
      const changes = ctx.update ? changesOf(existing, subscriber, given) : {};
      if (!Object.keys(changes).length) {
        counts.alreadySubscribed++;
        return;
      }
      counts.changed++;
      if (ctx.dryRun) return;
      const done = await mutate(deps.subscribers, existing.subscriberId, (s) =>
        s.status === 'confirmed' ? { ...s, ...changes, updatedAt: nowIso } : undefined,
      );
      await deps.subscribers.addEvent(existing.subscriberId, {
        at: nowIso,
        type: 'imported',
        detail: `updated by a re-import: ${Object.keys(changes).join(', ')}`,
      });
      if (!done) counts.changed--;
      return;
    }
    if (!consent) {
      return skip(line, subscriber.email, 'no recorded consent (consent column is not yes): not imported');
    }
    if (ctx.dryRun) {
      if (existing) counts.updated++;
      else counts.imported++;
      return;
    }
    if (!existing) {
      if (await deps.subscribers.create(subscriber)) {
        counts.imported++;
        await deps.subscribers.addEvent(subscriber.subscriberId, { at: nowIso, type: 'imported' });
        return;
      }
      return skip(line, subscriber.email, 'created concurrently by someone else: left as it is');
    }
    await deps.subscribers.save({
      ...existing,
      ...changesOf(existing, subscriber, given),
      status: 'confirmed',
      confirmedAt: nowIso,
      consentedAt: subscriber.consentedAt,
      consentSource: 'import',
      updatedAt: nowIso,
    });
    await deps.subscribers.addEvent(subscriber.subscriberId, {
      at: nowIso,
      type: 'imported',
      detail: 'confirmed an unconfirmed record',
    });
    counts.updated++;
  };
}

/** The fields of `next` that the row filled in and that differ from the stored record. */
function changesOf(existing: Subscriber, next: Subscriber, given: UpdatableField[]): Partial<Subscriber> {
  const out: Partial<Subscriber> = {};
  for (const f of given)
    if (next[f] !== undefined && next[f] !== existing[f]) Object.assign(out, { [f]: next[f] });
  return out;
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------------------
// Export

export const EXPORT_COLUMNS = [
  'email',
  'name',
  'language',
  'time_zone',
  'audiences',
  'status',
  'source',
  'consent',
  'consented_at',
  'created_at',
  'confirmed_at',
  'unsubscribed_at',
  'soft_bounces',
  /** Reason the address is suppressed (hard-bounce, complaint…), empty if it is not: nothing may be sent to it. */
  'suppressed',
  'suppressed_at',
] as const;

/** Spreadsheet apps run cells starting with = + - @ as formulas: defuse them (CSV injection). */
const cell = (v: string | number | undefined) => {
  const s = v === undefined ? '' : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

/** An exported subscriber: the record, and its suppression if the address is suppressed. */
export type ExportedSubscriber = Subscriber & { suppression?: Pick<Suppression, 'reason' | 'at'> };

export function toExportRow(s: ExportedSubscriber): Record<(typeof EXPORT_COLUMNS)[number], string> {
  return {
    email: cell(s.email),
    name: cell(s.name),
    language: s.language,
    time_zone: s.timeZone,
    audiences: s.audiences.join(' '),
    status: s.status,
    source: s.source,
    // Consent as it stands now: an unsubscribe withdrew it, and this column is what a re-import acts on.
    consent: s.consentedAt && s.status === 'confirmed' ? 'yes' : 'no',
    consented_at: s.consentedAt ?? '',
    created_at: s.createdAt,
    confirmed_at: s.confirmedAt ?? '',
    unsubscribed_at: s.unsubscribedAt ?? '',
    soft_bounces: String(s.softBounces),
    suppressed: s.suppression?.reason ?? '',
    suppressed_at: s.suppression?.at ?? '',
  };
}

/** Every subscriber (or those in some statuses), as CSV (re-importable: same column names) or JSON. */
export function makeExportSubscribers(deps: SubscribersDeps) {
  return async (opts: { format: 'csv' | 'json'; statuses?: SubscriptionStatus[] }) => {
    const statuses = opts.statuses?.length
      ? opts.statuses
      : (['confirmed', 'unconfirmed', 'unsubscribed'] as const);
    const all: Subscriber[] = [];
    for (const status of statuses)
      for await (const page of deps.subscribers.listByStatus(status)) all.push(...page);
    all.sort((a, b) => a.email.localeCompare(b.email));
    // One read of the suppression list (keyed by the address's hash), not one per subscriber.
    const suppressions = new Map((await deps.suppressions.list()).map((x) => [x.emailHash, x]));
    const records: ExportedSubscriber[] = all.map((s) => {
      const x = suppressions.get(emailHash(s.email));
      return x ? { ...s, suppression: { reason: x.reason, at: x.at } } : s;
    });
    if (opts.format === 'json') return { count: all.length, body: JSON.stringify(records, null, 2) };
    // Loaded here: only the function serving the export carries the CSV writer (infra/bundling.ts).
    const { stringify } = await import('csv-stringify/sync');
    return {
      count: all.length,
      body: stringify(records.map(toExportRow), { header: true, columns: [...EXPORT_COLUMNS] }),
    };
  };
}

export interface PersonalDataExport {
  exportedAt: string;
  email: string;
  emailHash: string;
  subscriber: Subscriber | null;
  history: SubscriberEvent[];
  suppression: Suppression | null;
  notes: string[];
}

/** GDPR access request: everything Gazette holds that is keyed by this address. */
export function makeExportPersonalData(deps: SubscribersDeps) {
  return async (emailInput: string): Promise<PersonalDataExport> => {
    const email = parseInput(Email, emailInput);
    const id = subscriberIdFor(email, await deps.tokenSecret());
    const [subscriber, history, suppression] = await Promise.all([
      deps.subscribers.get(id),
      deps.subscribers.listEvents(id),
      deps.suppressions.get(email),
    ]);
    return {
      exportedAt: deps.clock.now().toISOString(),
      email,
      emailHash: emailHash(email),
      subscriber: subscriber ?? null,
      history,
      suppression: suppression ?? null,
      notes: [
        `Per-campaign delivery records (which mailing was sent to subscriber id ${id}, when, and the SES message id) are kept by the send engine and deleted with the campaign.`,
        'Opens and clicks, if tracking is on, are counted per campaign only, never per person.',
        'Mail logs at Amazon SES are kept by AWS for its own retention period.',
      ],
    };
  };
}

// ---------------------------------------------------------------------------------------------------------
// Erasure

/** Delete-my-data: the subscriber and its history go; a hash-only suppression entry stays so we never mail again. */
export function makeEraseSubscriber(deps: SubscribersDeps) {
  return async (idOrEmail: string, by: string): Promise<{ erased: boolean; emailHash?: string }> => {
    const id = resolveId(idOrEmail, await deps.tokenSecret());
    const s = await deps.subscribers.get(id);
    const email = s?.email ?? (idOrEmail.includes('@') ? parseInput(Email, idOrEmail) : undefined);
    if (!email) throw new NotFoundError(`no subscriber ${idOrEmail}`);
    // Suppress first: a crash in between leaves an address we will not mail, never one we would.
    await deps.suppressions.anonymise(email, deps.clock.now());
    await deps.subscribers.delete(id);
    deps.logger.info('subscriber erased', {
      by,
      emailHash: emailHash(email).slice(0, 12),
      existed: Boolean(s),
    });
    return { erased: Boolean(s), emailHash: emailHash(email) };
  };
}

// ---------------------------------------------------------------------------------------------------------
// Admin look-ups and suppression management

export const resolveId = (idOrEmail: string, idKey: string): string =>
  idOrEmail.includes('@') ? subscriberIdFor(parseInput(Email, idOrEmail), idKey) : idOrEmail;

export function makeShowSubscriber(deps: SubscribersDeps) {
  return async (idOrEmail: string) => {
    const id = resolveId(idOrEmail, await deps.tokenSecret());
    const subscriber = await deps.subscribers.get(id);
    if (!subscriber) throw new NotFoundError(`no subscriber ${idOrEmail}`);
    const [history, suppression] = await Promise.all([
      deps.subscribers.listEvents(id),
      deps.suppressions.get(subscriber.email),
    ]);
    return { subscriber, suppression: suppression ?? null, history };
  };
}

export const AdminAddSubscriber = z.object({
  email: Email,
  name: z.string().trim().max(200).default(''),
  language: Language.default('en'),
  timeZone: TimeZone.default('UTC'),
  audiences: z.array(Audience).min(1).default(['newsletter']),
  /** true: the operator attests the person agreed (recorded as such); false: a double opt-in mail is sent. */
  consent: z.boolean().default(false),
  consentedAt: Instant.optional(),
  /** A contact of a member: its id or organisation name, with a role (main-contact, communications …). */
  member: z.string().trim().min(1).max(300).optional(),
  memberRole: ContactRoleInput.optional(),
  country: z.string().trim().min(2).max(100).optional(),
});

export function makeAddSubscriber(deps: SubscribersDeps) {
  return async (input: unknown) => {
    const req = parseInput(AdminAddSubscriber, input);
    const suppression = await deps.suppressions.get(req.email);
    if (suppression) throw new SuppressedError(`${req.email} is suppressed (${suppression.reason})`);
    let memberId: string | undefined;
    if (req.member) {
      const m = await makeMemberResolver(deps.members)(req.member);
      if (m.kind === 'error') throw new ValidationError(m.reason);
      memberId = m.memberId;
    }
    if (req.memberRole && !memberId) throw new ValidationError('a role needs a member (--member)');
    const iso = deps.clock.now().toISOString();
    const s = Subscriber.parse({
      subscriberId: subscriberIdFor(req.email, await deps.tokenSecret()),
      email: req.email,
      name: req.name,
      language: req.language,
      timeZone: req.timeZone,
      audiences: req.audiences,
      status: req.consent ? 'confirmed' : 'unconfirmed',
      source: 'admin',
      createdAt: iso,
      updatedAt: iso,
      ...(memberId ? { memberId } : {}),
      ...(req.memberRole ? { memberRole: req.memberRole } : {}),
      ...(req.country ? { country: req.country } : {}),
      ...(req.consent
        ? { confirmedAt: iso, consentedAt: req.consentedAt ?? iso, consentSource: 'admin' }
        : { confirmationSentAt: iso }),
    });
    if (!(await deps.subscribers.create(s))) {
      throw new ConflictError(`${req.email} is already known (see: gazette subscribers show ${req.email})`);
    }
    await deps.subscribers.addEvent(s.subscriberId, { at: iso, type: 'added' });
    if (!req.consent) {
      const links = await deps.links();
      await deps.mailer.send(
        confirmationMail(deps.config, s, links.confirmUrl(s.subscriberId), await deps.systemLayout?.()),
      );
    }
    return { subscriber: s, confirmationSent: !req.consent };
  };
}

export const AdminSuppress = z.object({
  email: Email,
  reason: SuppressionReason.default('manual'),
  detail: z.string().max(500).optional(),
});

export function makeSuppressionAdmin(deps: SubscribersDeps) {
  return {
    list: () => deps.suppressions.list(),
    add: async (input: unknown) => {
      const req = parseInput(AdminSuppress, input);
      await deps.suppressions.suppress(req.email, req.reason, deps.clock.now(), req.detail);
      return (await deps.suppressions.get(req.email)) as Suppression;
    },
    /** By address or by hash (erased entries have only the hash). */
    remove: async (emailOrHash: string) => {
      const hash = /^[0-9a-f]{64}$/.test(emailOrHash)
        ? emailOrHash
        : emailHash(parseInput(Email, emailOrHash));
      const existing = await deps.suppressions.getByHash(hash);
      if (!existing) throw new NotFoundError('no such suppression');
      await deps.suppressions.removeByHash(hash);
      // A lifted soft-bounce suppression starts counting again: the old count would re-suppress at the next one.
      if (existing.email)
        await deps.subscribers.resetSoftBounces(subscriberIdFor(existing.email, await deps.tokenSecret()));
      return { removed: existing };
    },
  };
}
