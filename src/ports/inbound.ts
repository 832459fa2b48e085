import type {
  InboundOutcome,
  InboundRecord,
  IngestResult,
  Member,
  Update,
  UpdateStatus,
  VerdictPreset,
} from '../domain/index.ts';

/** Member registry (DynamoDB adapter: src/adapters/dynamodb/member-repo.ts). */
export interface MemberRepo {
  get(memberId: string): Promise<Member | undefined>;
  /** The member one of whose allowed sender addresses this is (any status). */
  findBySender(email: string): Promise<Member | undefined>;
  list(): Promise<Member[]>;
  /** Throws ConflictError when a sender address already belongs to another member. */
  create(member: Member): Promise<void>;
  /** Saves `next`; `previous` is what the caller read (its sender addresses are released if dropped). */
  save(next: Member, previous: Member): Promise<void>;
}

/** Updates awaiting moderation and beyond (DynamoDB adapter: src/adapters/dynamodb/update-repo.ts). */
export interface UpdateRepo {
  get(updateId: string): Promise<Update | undefined>;
  /** Create if absent; false when an update with this id already existed (idempotent ingest). */
  create(update: Update): Promise<boolean>;
  /**
   * Optimistic write: succeeds only if the stored update still has `previous`'s audit trail length
   * (every moderation step appends to it). A lost race throws ConflictError.
   */
  save(next: Update, previous: Update): Promise<void>;
  /** Oldest first. */
  listByStatus(status: UpdateStatus, opts?: { limit?: number }): Promise<Update[]>;
  /** Approved updates received in [start, end), oldest first. */
  listApprovedInWindow(start: Date, end: Date): Promise<Update[]>;
  /**
   * approved → published with the edition number. Idempotent for the same edition; throws
   * InvalidStateError when the update is not approved (or already published in another edition).
   */
  markPublished(updateId: string, editionNumber: number, at: Date, actor: string): Promise<Update>;
}

/** One record per inbound message, whatever its outcome (DynamoDB: src/adapters/dynamodb/inbound-repo.ts). */
export interface InboundRepo {
  get(messageId: string): Promise<InboundRecord | undefined>;
  /** Create if absent; false when the message was already recorded. */
  record(r: InboundRecord): Promise<boolean>;
  /** Newest first. */
  listByOutcome(outcome: InboundOutcome, opts?: { limit?: number }): Promise<InboundRecord[]>;
}

// --- MIME parsing (adapter: src/adapters/mime/*) -------------------------------------------------

export interface ParsedAddress {
  address: string;
  name?: string;
}

export interface ParsedAttachment {
  filename?: string;
  contentType: string;
  content: Uint8Array;
  size: number;
  /** Referenced from the HTML (cid:) or marked inline. */
  inline: boolean;
  /** Content-ID without angle brackets. */
  contentId?: string;
}

/** A parsed message reduced to what the ingest path needs, every field already decoded and bounded. */
export interface ParsedMail {
  /** The first mailbox of From: (the identity a member is recognised by). */
  from?: ParsedAddress;
  /** Every mailbox of every From: header (RFC 5322 allows several; each must be an allowed sender). */
  fromAll?: ParsedAddress[];
  /** The Sender: mailbox, when present (who actually sent it on the From: author's behalf). */
  sender?: ParsedAddress;
  replyTo?: ParsedAddress;
  subject: string;
  /** Raw Date header (keeps the sender's UTC offset, which a Date object loses). */
  dateHeader?: string;
  date?: Date;
  messageId?: string;
  /** Lower-cased header name → raw values, unfolded, not RFC 2047-decoded (top-level headers only; DKIM alignment reads d= from them). */
  headers: Record<string, string[]>;
  /** Top-level content type, lower-cased, without parameters. */
  contentType: string;
  /** The report-type parameter of multipart/report, lower-cased. */
  reportType?: string;
  /** Content types of every MIME part seen (bounded), to recognise DSNs and ARF reports. */
  partTypes: string[];
  text?: string;
  html?: string;
  attachments: ParsedAttachment[];
  /** Things the parser cut or dropped (truncated body, too many parts …), for the moderator. */
  problems: string[];
}

export interface MimeParser {
  /** Throws UnparseableMessageError when the message breaks the limits (time, parts, nesting). */
  parse(raw: Uint8Array): Promise<ParsedMail>;
  /** Header section only: cheap, for messages too large to parse. Never throws. */
  parseHeaders(
    raw: Uint8Array,
  ): Promise<
    Pick<
      ParsedMail,
      'from' | 'fromAll' | 'sender' | 'subject' | 'headers' | 'dateHeader' | 'messageId' | 'problems'
    >
  >;
}

export interface HtmlTools {
  /** Allow-list sanitiser: no scripts, handlers, iframes, forms, styles or remote embeds. */
  sanitize(html: string): string;
  /** Plain text rendering (bounded depth and length). */
  toText(html: string): string;
}

/**
 * Hands a message already stored under inbound/<messageId> to the ingest path: in-process in the embedded
 * runtime, a synchronous invoke of the ingest function on AWS (adapter: src/adapters/lambda/), so the API
 * function never parses MIME.
 */
export interface IngestGateway {
  ingestStored(messageId: string, verdicts: VerdictPreset): Promise<IngestResult>;
}
