/**
 * The one module that talks to the admin API. Every route the console uses is a function here, typed from
 * the server's zod schemas (src/domain); a new route is one more function.
 */
import { signal } from '@preact/signals';
import type * as z from 'zod';
import type { Edition, EditionItem, EditionVariant } from '../../src/domain/campaign.ts';
import type { EditionShape, EditionShapePatch } from '../../src/domain/edition.ts';
import type { Member, NewMember } from '../../src/domain/member.ts';
import type { AudiencePreview, Segment } from '../../src/domain/segment.ts';
import type { SendStatus } from '../../src/domain/sending.ts';
import type { InboundRecord, Update, UpdateEdits, UpdateStatus } from '../../src/domain/update.ts';
import { session, signOut } from './session.ts';

export interface Problem {
  field: string;
  message: string;
}

/** An answer other than 2xx: the server's code and message, and its per-field problems when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

/** Set when the API is unreachable or failing (5xx): the banner offers to retry the failed request. */
export const outage = signal<{ message: string; retry: () => void } | undefined>(undefined);

let apiBase = '';
export const setApiBase = (url: string) => {
  apiBase = url.replace(/\/$/, '');
};

type Query = Record<string, string | number | boolean | undefined>;
interface Init {
  body?: unknown;
  raw?: string;
  contentType?: string;
  query?: Query;
  /** Answer as text (HTML previews, CSV). */
  text?: boolean;
}

export async function request<T>(method: string, path: string, init: Init = {}): Promise<T> {
  const url = new URL(apiBase + path, location.origin);
  for (const [k, v] of Object.entries(init.query ?? {}))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  const token = session.value?.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (init.raw !== undefined) {
    body = init.raw;
    headers['content-type'] = init.contentType ?? 'text/plain';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body });
  } catch {
    return failed(method, path, init, 'connection');
  }
  if (res.status >= 500) return failed(method, path, init, `server (${res.status})`, res);
  if (outage.value) outage.value = undefined;
  const text = await res.text();
  const data: unknown =
    (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  if (res.status === 401) {
    signOut('expired');
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; message?: string; details?: { problems?: Problem[] } };
    throw new ApiError(
      res.status,
      e.error ?? 'error',
      e.message ?? res.statusText,
      e.details?.problems ?? [],
    );
  }
  return (init.text ? text : data) as T;
}

/**
 * A lost connection or a 5xx: show the banner and wait for the user's retry (or a reconnect), then run the same
 * request again. The caller's await simply takes longer: the form or page keeps everything typed meanwhile.
 */
function failed<T>(method: string, path: string, init: Init, why: string, res?: Response): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const retry = () => {
      outage.value = undefined;
      request<T>(method, path, init).then(resolve, reject);
    };
    void res?.text().catch(() => {});
    outage.value = { message: why, retry };
    addEventListener('online', retry, { once: true });
  });
}

const enc = encodeURIComponent;
export type UpdateView = Update & { version?: number };
export interface EditionSummary {
  number: number;
  title: string;
  status: Edition['status'];
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
  schedule?: Edition['schedule'];
}
export interface CampaignStatsView {
  recipients: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  failed: number;
  uncertain: number;
  links?: Record<string, number>;
}

export const api = {
  // --- moderation
  updates: (status?: UpdateStatus, limit = 1000) =>
    request<{ updates: UpdateView[] }>('GET', '/admin/updates', { query: { status, limit } }),
  update: (id: string) => request<UpdateView>('GET', `/admin/updates/${enc(id)}`),
  /** Corrections without approving; `version` as for approve. */
  edit: (id: string, edits: z.input<typeof UpdateEdits>) =>
    request<UpdateView>('PATCH', `/admin/updates/${enc(id)}`, { body: edits }),
  approve: (id: string, edits: z.input<typeof UpdateEdits>) =>
    request<UpdateView>('POST', `/admin/updates/${enc(id)}/approve`, { body: edits }),
  /** `version`: the version the moderator read; a stale one is refused (412), never overwritten. */
  reject: (id: string, reason: string, version?: number) =>
    request<UpdateView>('POST', `/admin/updates/${enc(id)}/reject`, { body: { reason, version } }),
  merge: (id: string, duplicates: string[]) =>
    request<UpdateView>('POST', `/admin/updates/${enc(id)}/merge`, { body: { duplicates } }),
  inbound: (messageId: string) => request<InboundRecord>('GET', `/admin/inbound/${enc(messageId)}`),
  // --- members
  members: () => request<{ members: Member[] }>('GET', '/admin/members'),
  addMember: (m: z.input<typeof NewMember>) => request<Member>('POST', '/admin/members', { body: m }),
  // --- editions
  editions: () =>
    request<{ editions: EditionSummary[]; draft: number | null; lastCompile: unknown }>(
      'GET',
      '/admin/editions',
    ),
  edition: (n: number) =>
    request<{
      edition: Edition & { items: EditionItem[]; variants: EditionVariant[] };
      /** The zone a scheduled time is read in when none is chosen (GAZETTE_EDITION_TIMEZONE). */
      timeZone?: string;
    }>('GET', `/admin/editions/${n}`),
  compile: (from?: string, to?: string) =>
    request<{ edition?: EditionSummary; accepted?: boolean }>('POST', '/admin/editions/compile', {
      body: { from: from || undefined, to: to || undefined, wait: true },
    }),
  preview: (n: number, lang: string) =>
    request<string>('GET', `/admin/editions/${n}/preview`, { query: { lang }, text: true }),
  testSend: (n: number, to: string) =>
    request<unknown>('POST', `/admin/editions/${n}/test-send`, { body: { to } }),
  approveEdition: (n: number, revision?: string) =>
    request<{ edition: Edition }>('POST', `/admin/editions/${n}/approve`, { body: { revision } }),
  cancelEdition: (n: number) => request<{ edition: Edition }>('POST', `/admin/editions/${n}/cancel`),
  editionShape: (n: number) => request<{ shape: EditionShape }>('GET', `/admin/editions/${n}/shape`),
  patchEditionShape: (n: number, patch: z.input<typeof EditionShapePatch>) =>
    request<{ shape: EditionShape }>('PATCH', `/admin/editions/${n}/shape`, { body: patch }),
  editionStats: (n: number) =>
    request<{ edition: EditionSummary; stats: CampaignStatsView }>('GET', `/admin/editions/${n}/stats`),
  editionAudience: (n: number, segment?: string | null, sample = 5) =>
    request<EditionAudienceView>('GET', `/admin/editions/${n}/audience`, {
      query: { sample, segment: segment === undefined ? undefined : (segment ?? 'none') },
    }),
  setEditionAudience: (n: number, segmentId: string | null) =>
    request<{ edition: Edition }>('PUT', `/admin/editions/${n}/audience`, { body: { segmentId } }),
  sendEdition: (n: number) =>
    request<{ dryRun: false; send: unknown; audience: EditionAudienceView }>(
      'POST',
      `/admin/editions/${n}/send`,
      { body: {} },
    ),
  scheduleEdition: (n: number, at: string, timeZone?: string, perReader?: boolean) =>
    request<{ edition: Edition }>('PUT', `/admin/editions/${n}/schedule`, {
      body: { at, timeZone: timeZone || undefined, perReader: perReader || undefined },
    }),
  unscheduleEdition: (n: number) => request<{ edition: Edition }>('DELETE', `/admin/editions/${n}/schedule`),
  segments: () => request<{ items: Segment[] }>('GET', '/admin/segments'),
  addSegment: (s: Record<string, unknown>) => request<Segment>('POST', '/admin/segments', { body: s }),
  /** `ifVersion`: the version read; a colleague's change meanwhile answers 409, never a silent overwrite. */
  updateSegment: (id: string, s: Record<string, unknown>) =>
    request<Segment>('PATCH', `/admin/segments/${enc(id)}`, { body: s }),
  deleteSegment: (id: string) => request<unknown>('DELETE', `/admin/segments/${enc(id)}`),
  previewAudience: (filter: Record<string, unknown>, sample = 10) =>
    request<AudiencePreview>('POST', '/admin/audiences/preview', { body: { filter, sample } }),
  // --- sending
  sendStatus: (campaign: string) => request<SendStatus>('GET', `/admin/sends/${enc(campaign)}`),
  sendAction: (campaign: string, action: 'start' | 'pause' | 'resume' | 'cancel') =>
    request<unknown>('POST', `/admin/sends/${enc(campaign)}/${action}`),
  // --- deadlines
  deadlines: (all = false) =>
    request<{ deadlines: DeadlineView[] }>('GET', '/admin/deadlines', { query: { all } }),
  deadline: (id: string) => request<DeadlineDetail>('GET', `/admin/deadlines/${enc(id)}`),
  addDeadline: (d: Record<string, unknown>) =>
    request<DeadlineDetail>('POST', '/admin/deadlines', { body: d }),
  moveDeadline: (id: string, d: Record<string, unknown>) =>
    request<DeadlineDetail>('PATCH', `/admin/deadlines/${enc(id)}`, { body: d }),
  cancelDeadline: (id: string) => request<DeadlineDetail>('POST', `/admin/deadlines/${enc(id)}/cancel`),
  remindNow: (id: string, dryRun: boolean) =>
    request<RemindNowResult>('POST', `/admin/deadlines/${enc(id)}/remind-now`, { body: { dryRun } }),
  // --- subscribers
  subscribers: (status: string, cursor?: string) =>
    request<{ items?: SubscriberRow[]; subscribers?: SubscriberRow[]; cursor?: string }>(
      'GET',
      '/admin/subscribers',
      { query: { status, cursor, limit: 200 } },
    ),
  importCsv: (csv: string, dryRun: boolean) =>
    request<ImportResult>('POST', '/admin/subscribers/import', {
      raw: csv,
      contentType: 'text/csv',
      query: { dryRun: dryRun ? 'true' : undefined },
    }),
  exportCsv: () => request<string>('GET', '/admin/subscribers/export', { text: true }),
  erase: (id: string) => request<unknown>('DELETE', `/admin/subscribers/${enc(id)}`),
  suppressions: () => request<{ items: SuppressionRow[] }>('GET', '/admin/suppressions'),
};

/** GET /admin/editions/:n/audience (src/use-cases/editions/schedule-audience.ts EditionAudiencePreview). */
export interface EditionAudienceView extends AudiencePreview {
  edition: number;
  target:
    | { kind: 'list'; audience: string; description: string }
    | { kind: 'segment'; segmentId: string; name: string; description: string; segmentChanged: boolean };
  suppressed: number;
}

export interface DeadlineView {
  deadlineId: string;
  kind: 'deadline' | 'event';
  title: string;
  status: 'active' | 'cancelled' | 'passed';
  due?: string;
  start?: string;
  end?: string;
  timeZone: string;
  description?: string;
  failedReminders?: { offset: string; error?: string }[];
  [k: string]: unknown;
}
export interface ReminderView {
  offset: string;
  fireAt: string;
  status: string;
  [k: string]: unknown;
}
export interface DeadlineDetail {
  deadline: DeadlineView;
  reminders: ReminderView[];
  notice?: string;
  /** On create: who it reaches. */
  audience?: AudiencePreview;
}
export type RemindNowResult =
  | { dryRun: true; count: number; suppressed: number; recipients: { email: string; name: string }[] }
  | { dryRun: false; campaign: string; started: true };
export interface SubscriberRow {
  subscriberId?: string;
  id?: string;
  email: string;
  name?: string;
  language?: string;
  status: string;
  audiences?: string[];
  [k: string]: unknown;
}
/** src/use-cases/subscribers/data.ts ImportReport. */
export interface ImportResult {
  rows: number;
  imported: number;
  updated: number;
  skipped: { line: number; email: string; reason: string }[];
  errors: { line: number; reason: string }[];
  dryRun: boolean;
}
export interface SuppressionRow {
  key?: string;
  email?: string;
  reason?: string;
  [k: string]: unknown;
}
