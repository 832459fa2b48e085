/** In-memory ports for fast unit tests of the ingest use case (integration tests use the real stack). */
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';
import {
  ConflictError,
  type InboundRecord,
  type Member,
  type Update,
  type Verdicts,
} from '../../../src/domain/index.ts';
import type { BlobStore } from '../../../src/ports/blob-store.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import type { InboundRepo, MemberRepo, UpdateRepo } from '../../../src/ports/inbound.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { Mailer, OutboundMessage } from '../../../src/ports/mailer.ts';
import { type IngestCommand, makeIngest } from '../../../src/use-cases/inbound/ingest.ts';

export class MemoryBlobs implements BlobStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  constructor(readonly bucket: string) {}
  async put(key: string, body: string | Uint8Array, contentType: string) {
    this.objects.set(key, { body: typeof body === 'string' ? Buffer.from(body) : body, contentType });
  }
  async get(key: string) {
    const o = this.objects.get(key);
    if (!o) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: 'NoSuchKey' });
    return o.body;
  }
  async getText(key: string) {
    return Buffer.from(await this.get(key)).toString('utf8');
  }
  async exists(key: string) {
    return this.objects.has(key);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
}

export class MemoryMembers implements MemberRepo {
  readonly byId = new Map<string, Member>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async findBySender(email: string) {
    return [...this.byId.values()].find((m) => m.senders.includes(email.toLowerCase()));
  }
  async list() {
    return [...this.byId.values()];
  }
  async create(m: Member) {
    this.byId.set(m.memberId, m);
  }
  async save(m: Member) {
    this.byId.set(m.memberId, m);
  }
}

export class MemoryUpdates implements UpdateRepo {
  readonly byId = new Map<string, Update>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async create(u: Update) {
    if (this.byId.has(u.updateId)) return false;
    this.byId.set(u.updateId, u);
    return true;
  }
  async save(next: Update, prev: Update) {
    if (this.byId.get(next.updateId)?.audit.length !== prev.audit.length) throw new ConflictError('changed');
    this.byId.set(next.updateId, next);
  }
  async listByStatus(status: Update['status']) {
    return [...this.byId.values()].filter((u) => u.status === status);
  }
  async listApprovedInWindow(start: Date, end: Date) {
    return [...this.byId.values()].filter(
      (u) =>
        u.status === 'approved' && u.receivedAt >= start.toISOString() && u.receivedAt < end.toISOString(),
    );
  }
  async markPublished(): Promise<Update> {
    throw new Error('not used');
  }
}

export class MemoryInbound implements InboundRepo {
  readonly byId = new Map<string, InboundRecord>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async record(r: InboundRecord) {
    if (this.byId.has(r.messageId)) return false;
    this.byId.set(r.messageId, r);
    return true;
  }
  async listByOutcome(outcome: InboundRecord['outcome']) {
    return [...this.byId.values()].filter((r) => r.outcome === outcome);
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: OutboundMessage[] = [];
  async send(m: OutboundMessage) {
    this.sent.push(m);
    return { messageId: `m${this.sent.length}` };
  }
  async getSendQuota() {
    return { maxSendRate: 10, max24HourSend: 1000, sentLast24Hours: 0 };
  }
}

export const member = (over: Partial<Member> = {}): Member => ({
  memberId: 'm_greenbuy',
  organisation: 'GreenBuy e.V.',
  type: 'network',
  country: 'Germany',
  language: 'en',
  senders: ['news@greenbuy.example'],
  trusted: false,
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

export const pass: Verdicts = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' };

/** The ingest use case over in-memory ports and the real MIME/HTML adapters; `send` stores and ingests. */
export function world(members: Member[] = [member()], opts: { maxBytes?: number; timeoutMs?: number } = {}) {
  const raw = new MemoryBlobs('raw');
  const content = new MemoryBlobs('content');
  const m = new MemoryMembers();
  for (const x of members) m.byId.set(x.memberId, x);
  const updates = new MemoryUpdates();
  const inbound = new MemoryInbound();
  const mailer = new MemoryMailer();
  const unsubscribed: string[] = [];
  const unsubscribeSubjects: (string | undefined)[] = [];
  const ingest = makeIngest({
    blobs: { raw, content },
    members: m,
    updates,
    inbound,
    mime: createMimeParser({ timeoutMs: opts.timeoutMs ?? 5_000 }),
    html: createHtmlTools(),
    mailer,
    clock: systemClock,
    logger: silentLogger,
    policy: {
      maxMessageBytes: opts.maxBytes ?? 1024 * 1024,
      updatesAddress: 'updates@gazette.local',
      unsubscribeAddress: 'unsubscribe@gazette.local',
      from: 'IGPN Gazette <news@gazette.local>',
      defaultTimeZone: 'UTC',
    },
    unsubscribeByEmail: async (e, subject) => {
      unsubscribed.push(e);
      unsubscribeSubjects.push(subject);
    },
  });
  let n = 0;
  const send = async (body: Uint8Array, over: Partial<IngestCommand> = {}) => {
    const messageId = over.messageId ?? `msg${++n}`;
    await raw.put(`inbound/${messageId}`, body, 'message/rfc822');
    return ingest({
      messageId,
      rawKey: `inbound/${messageId}`,
      receivedAt: new Date('2026-03-03T10:00:00Z'),
      recipients: ['updates@gazette.local'],
      verdicts: pass,
      ...over,
    });
  };
  return { send, ingest, raw, content, updates, inbound, mailer, unsubscribed, unsubscribeSubjects };
}
