import * as z from 'zod';
import { Actor, Email, Instant, Language, TimeZone } from './common.ts';
import { ConflictError, ValidationError } from './errors.ts';

/** Outcome of one inbound message. Every message gets one; nothing is dropped silently. */
export const InboundOutcome = z.enum(['accepted', 'quarantined', 'rejected']);
export type InboundOutcome = z.infer<typeof InboundOutcome>;

export const UpdateKind = z.enum(['news', 'event', 'deadline', 'publication']);
export type UpdateKind = z.infer<typeof UpdateKind>;

/** Newsletter sections, in the order they appear in an edition. */
export const Section = z.enum(['events', 'news', 'publications', 'deadlines']);
export type Section = z.infer<typeof Section>;

export const UpdateStatus = z.enum(['pending', 'quarantined', 'approved', 'rejected', 'merged', 'published']);
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/** SES receipt verdicts (PASS | FAIL | GRAY | PROCESSING_FAILED | DISABLED). */
export const VerdictStatus = z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']);
export type VerdictStatus = z.infer<typeof VerdictStatus>;
export const Verdicts = z.object({
  spf: VerdictStatus,
  dkim: VerdictStatus,
  dmarc: VerdictStatus,
  spam: VerdictStatus,
  virus: VerdictStatus,
});
export type Verdicts = z.infer<typeof Verdicts>;

export const StoredFile = z.object({
  key: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  inline: z.boolean().default(false),
  contentId: z.string().optional(),
  /** false for dangerous types (executables, scripts…): kept for the secretariat, never published. */
  publishable: z.boolean(),
  /** Alt text of a photo, set by a moderator (else the item's title is used). */
  alt: z.string().max(300).optional(),
});
export type StoredFile = z.infer<typeof StoredFile>;

export const Link = z.object({ url: z.url(), label: z.string().optional() });
export type Link = z.infer<typeof Link>;

export const EventTime = z.object({
  start: Instant,
  end: Instant.optional(),
  timeZone: TimeZone.optional(),
  location: z.string().optional(),
  /** A date without a time of day (the whole day in the stated or assumed zone). */
  allDay: z.boolean().optional(),
});
export type EventTime = z.infer<typeof EventTime>;

export const AuditEntry = z.object({
  at: Instant,
  actor: Actor,
  action: z.enum([
    'received',
    'approved',
    'rejected',
    'edited',
    'merged',
    'quarantined',
    'published',
    'restored',
  ]),
  note: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * A moderator's translation of an update's title and/or summary into one language (issue 14): item text
 * stays in the member's language unless a moderator adds one. Editions show it in that language's variant
 * (and its sub-tags': a zh translation serves zh-Hant readers with no zh-Hant one); what it lacks falls
 * back to the original.
 */
export const UpdateTranslation = z.object({
  title: z.string().min(1).max(300).optional(),
  summary: z.string().max(1000).optional(),
});
export type UpdateTranslation = z.infer<typeof UpdateTranslation>;

export const Update = z.object({
  updateId: z.string(),
  /** SES message id (or local id) of the mail that carried it: the idempotency key. */
  messageId: z.string(),
  memberId: z.string(),
  organisation: z.string(),
  sender: Email,
  receivedAt: Instant,
  status: UpdateStatus,
  reason: z.string().optional(),
  title: z.string().min(1).max(300),
  summary: z.string().max(1000),
  bodyHtml: z.string(),
  bodyText: z.string(),
  kind: UpdateKind,
  section: Section,
  links: z.array(Link).default([]),
  attachments: z.array(StoredFile).default([]),
  /** Files a moderator dropped: never published in an edition, kept so they can be restored. */
  droppedAttachments: z.array(StoredFile).optional(),
  event: EventTime.optional(),
  deadline: Instant.optional(),
  language: z.string().optional(),
  /**
   * False when ingest did not acknowledge the mail because its From may be forged (failed sender
   * authentication …): then no notice is ever sent to that address (no backscatter). Absent: acknowledged.
   */
  acknowledged: z.boolean().optional(),
  /** Moderator translations by language tag ("zh", "ja", "zh-Hant" …); see UpdateTranslation. */
  translations: z.record(Language, UpdateTranslation).optional(),
  rawKey: z.string(),
  mergedInto: z.string().optional(),
  editionNumber: z.number().int().optional(),
  audit: z.array(AuditEntry).default([]),
});
export type Update = z.infer<typeof Update>;

/** Record of every inbound message, whatever its outcome. */
export const InboundRecord = z.object({
  messageId: z.string(),
  receivedAt: Instant,
  from: z.string(),
  subject: z.string(),
  outcome: InboundOutcome,
  reason: z.string().optional(),
  updateId: z.string().optional(),
  memberId: z.string().optional(),
  rawKey: z.string(),
  size: z.number().int().nonnegative(),
  verdicts: Verdicts,
});
export type InboundRecord = z.infer<typeof InboundRecord>;

/**
 * Key prefix of raw inbound mail in the raw bucket. The SES receipt rule's S3 action writes
 * `inbound/<SES messageId>`; the embedded SMTP server writes the very same key.
 */
export const INBOUND_RAW_PREFIX = 'inbound/';
export const inboundRawKey = (messageId: string) => `${INBOUND_RAW_PREFIX}${messageId}`;

/**
 * Verdicts stamped on a message that did not come through SES (the embedded SMTP server, POST /admin/inbound):
 * `pass` is a verified member mail; the others rehearse rejection paths.
 */
export const VerdictPreset = z.enum(['pass', 'fail', 'spam', 'virus']);
export type VerdictPreset = z.infer<typeof VerdictPreset>;

/**
 * Ingest a message already stored under inbound/<messageId>: the API function's request to the ingest
 * function (POST /admin/inbound on AWS), so only the ingest function ever parses MIME.
 */
export const StoredIngestRequest = z
  .object({
    gazetteIngest: z
      .object({ messageId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/), verdicts: VerdictPreset })
      .strict(),
  })
  .strict();
export type StoredIngestRequest = z.infer<typeof StoredIngestRequest>;

/** Section an update lands in by default, from its kind. */
const SECTION_OF_KIND: Record<UpdateKind, Section> = {
  news: 'news',
  event: 'events',
  deadline: 'deadlines',
  publication: 'publications',
};
export const sectionForKind = (kind: UpdateKind): Section => SECTION_OF_KIND[kind];

/** What `ingest` answers, whatever happened (also the JSON of `gazette ingest` and POST /admin/inbound). */
export const IngestResult = z.object({
  outcome: InboundOutcome,
  updateId: z.string().optional(),
  reason: z.string().optional(),
});
export type IngestResult = z.infer<typeof IngestResult>;

/** Moderator text: CRLF → LF, trailing blanks per line dropped, so line breaks and lists survive an edit. */
const ModeratorText = (max: number) =>
  z
    .string()
    .transform((s) =>
      s
        .replace(/\r\n?/g, '\n')
        .replace(/[ \t]+$/gm, '')
        .trim(),
    )
    .pipe(z.string().max(max));

/** A change to the event: fields given replace the stored ones, `null` clears end, zone or place. */
export const EventPatch = z
  .object({
    start: Instant,
    end: Instant.nullable(),
    timeZone: TimeZone.nullable(),
    location: z.string().trim().max(300).nullable(),
    allDay: z.boolean(),
  })
  .partial()
  .strict();
export type EventPatch = z.infer<typeof EventPatch>;

/** An attachment to keep: its key, optionally with alt text (`null` clears it). */
export const KeptAttachment = z.union([
  z.string().min(1).max(1024),
  z
    .object({ key: z.string().min(1).max(1024), alt: z.string().trim().max(300).nullable().optional() })
    .strict(),
]);
export type KeptAttachment = z.infer<typeof KeptAttachment>;

/** A translation as a moderator writes it: title and/or summary, tidied like the other moderator text. */
const TranslationEdit = z
  .object({
    title: ModeratorText(300).pipe(z.string().min(1, 'a translated title cannot be empty')),
    summary: ModeratorText(1000),
  })
  .partial()
  .strict()
  .refine(
    (t) => t.title !== undefined || t.summary !== undefined,
    'a translation needs a title or a summary',
  );

/**
 * A moderator's edit of an update (PATCH /admin/updates/:id, and the edits an approval may carry): every
 * field a reader sees. `null` clears an optional field (event, deadline, a translation). `attachments` lists the files to
 * keep: the others are dropped (kept aside in `droppedAttachments`, restored by listing them again).
 * `memberId` moves the update to another member (their name is shown); `organisation` only changes the
 * name shown. `version` (or an If-Match header) is the version the editor read: a stale one is refused.
 */
export const UpdateEdits = z
  .object({
    version: z.number().int().nonnegative(),
    title: ModeratorText(300).pipe(z.string().min(1, 'the title cannot be empty')),
    summary: ModeratorText(1000),
    bodyText: ModeratorText(80_000),
    bodyHtml: z.string().max(150_000),
    kind: UpdateKind,
    section: Section,
    event: EventPatch.nullable(),
    deadline: Instant.nullable(),
    links: z.array(Link).max(50),
    attachments: z.array(KeptAttachment).max(200),
    memberId: z.string().min(1).max(256),
    organisation: z.string().trim().min(1).max(300),
    /** Adds or replaces the translation into each language given; `null` removes that language's. */
    translations: z.record(Language, TranslationEdit.nullable()),
  })
  .partial()
  .strict();
export type UpdateEdits = z.infer<typeof UpdateEdits>;

/** Bulk moderation: approve or reject many updates at once (each on its own; one failure stops none). */
export const BulkModerationInput = z
  .object({
    action: z.enum(['approve', 'reject']),
    updateIds: z.array(z.string().min(1).max(256)).min(1).max(200),
    reason: z.string().trim().min(1).max(1000).optional(),
  })
  .strict()
  .refine((b) => b.action !== 'reject' || b.reason !== undefined, {
    message: 'a reason is required to reject',
    path: ['reason'],
  });
export type BulkModerationInput = z.infer<typeof BulkModerationInput>;

/**
 * The optimistic-concurrency version of an update: every moderation step appends to its audit trail, and
 * the repository writes only if the stored trail still has the length that was read.
 */
export const updateVersion = (u: Pick<Update, 'audit'>): number => u.audit.length;

/** The version an editor named (If-Match or `version`) is not the stored one: HTTP 412. */
export class StaleVersionError extends ConflictError {}

export const RejectUpdateInput = z
  .object({ reason: z.string().trim().min(1).max(1000), version: z.number().int().nonnegative().optional() })
  .strict();
export const MergeUpdatesInput = z
  .object({ duplicates: z.array(z.string().min(1).max(256)).min(1).max(50) })
  .strict();

/** Settings of the ingest use case (from config; tests pass their own). */
export interface InboundPolicy {
  maxMessageBytes: number;
  updatesAddress: string;
  unsubscribeAddress: string;
  /** From: of acknowledgement mails. */
  from: string;
  /** Zone assumed for `When:`/`Deadline:` lines that name none. */
  defaultTimeZone: string;
}

/** The raw message could not be read within the parser's limits (time, nesting, size). */
export class UnparseableMessageError extends ValidationError {}

/**
 * Characters a reader cannot see but that change what they read: C0/C1 controls (NUL …), bidi overrides
 * and isolates (U+202A–202E, U+2066–2069, LRM/RLM/ALM), zero-width space/no-break/word joiner, BOM and
 * interlinear annotations. U+200D (ZWJ) survives only inside an emoji sequence (👩‍💻), U+200C (ZWNJ) only
 * between letters (Persian, Indic). `multiline` keeps LF and TAB (bodies); otherwise they become spaces.
 * U+2028/U+2029 become line breaks (or spaces).
 */
export function stripInvisibles(s: string, opts: { multiline?: boolean } = {}): string {
  const nl = opts.multiline ? '\n' : ' ';
  let out = s.replace(/[\u2028\u2029]/g, nl);
  out = opts.multiline
    ? out.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    : out.replace(/[\u0009-\u000d]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  out = out.replace(
    /[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff\ufff9-\ufffb]/g,
    '',
  );
  if (out.includes('\u200d'))
    out = out.replace(
      /(?<!\p{Extended_Pictographic}[\u{fe0f}\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]*)\u200d|\u200d(?!\p{Extended_Pictographic})/gu,
      '',
    );
  if (out.includes('\u200c')) out = out.replace(/(?<![\p{L}\p{M}])\u200c|\u200c(?![\p{L}\p{M}])/gu, '');
  return out;
}
