import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoRateWindows } from '../adapters/dynamodb/rate-window-repo.ts';
import { DynamoStatsRepo } from '../adapters/dynamodb/stats-repo.ts';
import { DynamoEventLedger, DynamoSubscriberRepo } from '../adapters/dynamodb/subscriber-repo.ts';
import { DynamoSuppressionRepo } from '../adapters/dynamodb/suppression-repo.ts';
import {
  type DomainError,
  ForbiddenError,
  InvalidTokenError,
  isDomainError,
  MessageTooLargeError,
  RateLimitedError,
  SubscriptionStatus,
  ValidationError,
} from '../domain/index.ts';
import { errorResponse } from '../http/error-map.ts';
import { type HttpRequest, type HttpResponse, html, json, type Route } from '../http/types.ts';
import { makeLinks } from '../use-cases/shared/links.ts';
import { ImportRows } from '../use-cases/subscribers/data.ts';
import type { SubscribersDeps } from '../use-cases/subscribers/deps.ts';
import { makeSubscriberUseCases } from '../use-cases/subscribers/index.ts';
import { maskEmail } from '../use-cases/subscribers/mailbox.ts';
import { type Lang, langOf, t } from '../use-cases/subscribers/messages.ts';
import {
  confirmPage,
  erasePage,
  esc,
  layout,
  linkParagraph,
  messagePage,
  preferencesPage,
  subscribePage,
  unsubscribePage,
} from '../use-cases/subscribers/pages.ts';
import { sesEventsFromBody } from '../use-cases/subscribers/ses-events.ts';
import { makeTokenBucket, type RateLimiter } from '../use-cases/subscribers/throttle.ts';
import { composeAudiences } from './audiences.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';
import { systemLayoutOf } from './system-layout.ts';

const MAX_PUBLIC_BODY = 16 * 1024;
const MAX_IMPORT_BODY = 8 * 1024 * 1024;
/** Token URLs and personal data: never cached, never leaked through Referer. */
const PRIVATE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/** Subscribers, opt-in, unsubscribe, SES events, suppression, import/export. */
export function composeSubscribers(infra: Infra, extra: Pick<SubscribersDeps, 'onMailSent'> = {}) {
  const subscriberRepo = new DynamoSubscriberRepo(infra.table);
  const suppressionRepo = new DynamoSuppressionRepo(infra.table);
  const memberRepo = new DynamoMemberRepo(infra.table);
  const statsRepo = new DynamoStatsRepo(infra.table);
  const logger = infra.logger.child({ area: 'subscribers' });
  // Built per call (cheap): the public URL is read when the link is made, the secret is cached by Infra.
  const links = async () =>
    makeLinks({ config: infra.config, secret: await infra.tokenSecret(), now: () => infra.clock.now() });
  const deps: SubscribersDeps = {
    subscribers: subscriberRepo,
    suppressions: suppressionRepo,
    stats: statsRepo,
    ledger: new DynamoEventLedger(infra.table, () => infra.clock.now()),
    rateWindows: new DynamoRateWindows(infra.table, () => infra.clock.now()),
    // A getter: the Lambda runtime builds its SES client only when a mail is actually sent.
    get mailer() {
      return infra.mailer;
    },
    clock: infra.clock,
    logger,
    config: infra.config,
    links,
    tokenSecret: infra.tokenSecret,
    onMailSent: extra.onMailSent,
    members: memberRepo,
    systemLayout: systemLayoutOf(infra),
  };
  // Segments, their previews, contacts of members, subscriber updates (src/app/audiences.ts).
  const audienceApp = composeAudiences(infra, { ...deps, members: memberRepo });
  const uc = makeSubscriberUseCases(deps);
  const newsletter = () => ({ name: infra.config.GAZETTE_NEWSLETTER_NAME });
  const now = () => infra.clock.now().getTime();
  const subscribeLimit = makeTokenBucket({ perMinute: infra.config.GAZETTE_SUBSCRIBE_RATE_PER_MINUTE, now });
  const pageLimit = makeTokenBucket({ perMinute: infra.config.GAZETTE_PUBLIC_RATE_PER_MINUTE, now });

  // Read per request, like the links: the public URL is the one in force when the form is posted.
  const formOrigins = () =>
    new Set([
      new URL(infra.config.GAZETTE_PUBLIC_URL).origin,
      ...infra.config.GAZETTE_FORM_ORIGINS.map((o) => safeOrigin(o)),
    ]);

  /**
   * A public page: domain errors become a readable HTML page with the status error-map gives them. Its POSTs
   * are refused when a browser sends them from another site's page (`crossSite: 'refuse'`), so a hostile page
   * cannot make its visitors sign others up; only RFC 8058 one-click unsubscribe (posted by mailbox
   * providers' servers, token-gated) allows any sender.
   */
  const page =
    (
      limiter: RateLimiter | undefined,
      fn: (req: HttpRequest, lang: Lang) => Promise<HttpResponse>,
      crossSite: 'refuse' | 'allow' = 'refuse',
    ) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      const lang = requestLang(req);
      const form = wantsHtml(req);
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD' && crossSite === 'refuse')
          refuseCrossSite(req, formOrigins());
        const wait = limiter?.take(req.sourceIp) ?? 0;
        if (wait) {
          const r = form
            ? html(429, messagePage(lang, t(lang, 'tooManyTitle'), t(lang, 'tooMany')))
            : errorResponse(new RateLimitedError('too many requests; try again later'));
          return { ...r, headers: { ...r.headers, 'retry-after': String(wait) } };
        }
        const r = await fn(req, lang);
        return { ...r, headers: { ...r.headers, ...PRIVATE } };
      } catch (e) {
        if (!isDomainError(e))
          logger.error('public route failed', { path: req.path, error: String((e as Error)?.stack ?? e) });
        const r = form ? htmlError(e, lang) : errorResponse(e);
        return { ...r, headers: { ...r.headers, ...PRIVATE } };
      }
    };

  const publicRoutes: Route[] = [
    {
      method: 'GET',
      path: '/v1/subscribe',
      access: 'public',
      handler: page(pageLimit, async (_req, lang) => html(200, subscribePage(lang, newsletter()))),
    },
    {
      method: 'POST',
      path: '/v1/subscribe',
      access: 'public',
      handler: page(subscribeLimit, async (req, lang) => {
        const { data, isForm } = readBody(req, MAX_PUBLIC_BODY);
        // Every outcome (a mail sent, none, an error) answers no sooner than the floor: timing must not
        // tell whether an address is new, known or suppressed.
        const started = performance.now();
        try {
          await uc.subscribe(data);
        } finally {
          const left = infra.config.GAZETTE_SUBSCRIBE_MIN_RESPONSE_MS - (performance.now() - started);
          if (left > 0) await sleep(left);
        }
        // The same answer whatever happened: new, pending, confirmed, suppressed or a bot (no enumeration).
        return isForm
          ? html(202, messagePage(lang, t(lang, 'checkInboxTitle'), t(lang, 'checkInbox')))
          : json(202, { status: 'accepted', message: t('en', 'checkInbox') });
      }),
    },
    {
      // Opening the link (a person, or a mail security scanner) only shows the question; POST confirms.
      method: 'GET',
      path: '/v1/confirm',
      access: 'public',
      handler: page(pageLimit, async (req) => {
        const subscriber = await uc.inspectConfirm(tokenOf(req));
        const l = langOf(subscriber.language);
        if (subscriber.status === 'confirmed') return confirmedPage(subscriber);
        return html(200, confirmPage(l, newsletter(), maskEmail(subscriber.email)));
      }),
    },
    {
      method: 'POST',
      path: '/v1/confirm',
      access: 'public',
      handler: page(pageLimit, async (req) => {
        const { data, isForm } = readBody(req, MAX_PUBLIC_BODY);
        const { subscriber, alreadyConfirmed } = await uc.confirm(tokenOf(req, data));
        if (!isForm) return json(200, { status: 'confirmed', alreadyConfirmed });
        return confirmedPage(subscriber);
      }),
    },
    {
      // The erase link mailed to the address (see requestErase): GET asks, POST erases.
      method: 'GET',
      path: '/v1/erase',
      access: 'public',
      handler: page(pageLimit, async (req, lang) => {
        const s = await uc.inspectErase(tokenOf(req));
        if (!s) return html(200, messagePage(lang, t(lang, 'erasedTitle'), t(lang, 'erased')));
        return html(200, erasePage(langOf(s.language), maskEmail(s.email)));
      }),
    },
    {
      method: 'POST',
      path: '/v1/erase',
      access: 'public',
      handler: page(pageLimit, async (req, lang) => {
        const { data, isForm } = readBody(req, MAX_PUBLIC_BODY);
        const r = await uc.confirmErase(tokenOf(req, data));
        const l = r.subscriber ? langOf(r.subscriber.language) : lang;
        return isForm
          ? html(200, messagePage(l, t(l, 'erasedTitle'), t(l, 'erased')))
          : json(200, { erased: r.erased });
      }),
    },
    {
      method: 'GET',
      path: '/v1/preferences',
      access: 'public',
      handler: page(pageLimit, async (req) => {
        const s = await uc.getPreferences(tokenOf(req));
        if (!wantsHtml(req)) return json(200, publicView(s));
        return html(200, preferencesPage(langOf(s.language), newsletter(), s, false));
      }),
    },
    {
      method: 'POST',
      path: '/v1/preferences',
      access: 'public',
      handler: page(pageLimit, async (req) => {
        const { data, isForm } = readBody(req, MAX_PUBLIC_BODY);
        const token = tokenOf(req, data);
        const action = typeof data.action === 'string' ? data.action : 'save';
        if (action === 'erase') {
          // The preferences link may have come in a forwarded newsletter: the mailbox confirms by mail.
          const { subscriber: s } = await uc.requestErase(token);
          const l = langOf(s.language);
          return isForm
            ? html(
                202,
                messagePage(l, t(l, 'eraseSentTitle'), t(l, 'eraseSent', { email: maskEmail(s.email) })),
              )
            : json(202, { status: 'confirmation-sent', email: maskEmail(s.email) });
        }
        if (action === 'unsubscribe') {
          const r = await uc.unsubscribeAllByPreferences(token);
          const l = langOf(r.subscriber?.language);
          const list = t(l, 'everything', newsletter());
          return isForm
            ? html(200, messagePage(l, t(l, 'unsubscribedTitle'), t(l, 'unsubscribed', { list })))
            : json(200, { unsubscribed: true });
        }
        if (action !== 'save') throw new ValidationError(`unknown action ${JSON.stringify(action)}`);
        const { action: _a, token: _t, ...patch } = data;
        // An HTML form with every box unticked sends no "audiences" field at all: that means none.
        if (isForm && patch.audiences === undefined) patch.audiences = [];
        const s = await uc.updatePreferences(token, patch);
        return isForm
          ? html(200, preferencesPage(langOf(s.language), newsletter(), s, true))
          : json(200, publicView(s));
      }),
    },
    {
      method: 'GET',
      path: '/v1/unsubscribe',
      access: 'public',
      handler: page(pageLimit, async (req, lang) => {
        const { scope, subscriber } = await uc.inspectUnsubscribe(tokenOf(req));
        const l = subscriber ? langOf(subscriber.language) : lang;
        if (!subscriber || subscriber.status === 'unsubscribed') {
          return html(200, messagePage(l, t(l, 'unsubscribeTitle'), t(l, 'notSubscribed')));
        }
        const list = scope === 'all' ? t(l, 'everything', newsletter()) : t(l, `list.${scope}`);
        return html(200, unsubscribePage(l, newsletter(), maskEmail(subscriber.email), list));
      }),
    },
    {
      // RFC 8058: mailbox providers POST "List-Unsubscribe=One-Click" to the List-Unsubscribe URL; it must
      // work at once, without cookies or a further page. Not rate limited: the HMAC check is the gate, and a
      // provider may send many from one address right after a mailing.
      method: 'POST',
      path: '/v1/unsubscribe',
      access: 'public',
      handler: page(
        undefined,
        async (req) => {
          if (req.body.length > MAX_PUBLIC_BODY) throw new MessageTooLargeError('request body too large');
          const text = req.body.toString('utf8');
          const fromPage = /(^|&)confirm=yes(&|$)/.test(text);
          const bodyToken = new URLSearchParams(text).get('token') ?? undefined;
          const r = await uc.unsubscribeByToken(
            tokenOf(req, { token: bodyToken }),
            fromPage ? 'page' : 'one-click',
          );
          if (!fromPage)
            return {
              status: 200,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
              body: 'unsubscribed\n',
            };
          const l = langOf(r.subscriber?.language);
          const list = r.scope === 'all' ? t(l, 'everything', newsletter()) : t(l, `list.${r.scope}`);
          return html(200, messagePage(l, t(l, 'unsubscribedTitle'), t(l, 'unsubscribed', { list })));
        },
        'allow',
      ),
    },
  ];

  async function confirmedPage(subscriber: { language: string; email: string; subscriberId: string }) {
    const l = langOf(subscriber.language);
    const prefs = (await links()).preferencesUrl(subscriber.subscriberId);
    return html(
      200,
      messagePage(
        l,
        t(l, 'confirmedTitle'),
        t(l, 'confirmed', { ...newsletter(), email: maskEmail(subscriber.email) }),
        linkParagraph(prefs, t(l, 'managePreferences')),
      ),
    );
  }

  const adminRoutes: Route[] = [
    {
      method: 'GET',
      path: '/admin/subscribers',
      access: 'admin',
      handler: async (req) => {
        const status = parseStatus(req.query.status ?? 'confirmed');
        const limit = req.query.limit ? Number(req.query.limit) : undefined;
        const r = await subscriberRepo.page(status, { limit, cursor: req.query.cursor });
        return json(200, { status, ...r });
      },
    },
    {
      method: 'POST',
      path: '/admin/subscribers',
      access: 'admin',
      handler: async (req) => json(201, await uc.add(readBody(req, MAX_PUBLIC_BODY).data)),
    },
    {
      method: 'POST',
      path: '/admin/subscribers/import',
      access: 'admin',
      handler: async (req) => {
        if (req.body.length > MAX_IMPORT_BODY)
          throw new MessageTooLargeError('import body too large: split the file');
        const type = req.headers['content-type'] ?? '';
        const flags = { dryRun: req.query.dryRun === 'true', update: req.query.update === 'true' };
        // A file as people have it: CSV in any common encoding and separator, or an .xlsx workbook.
        if (type.includes('text/csv') || type.includes('text/plain') || type.includes('spreadsheetml')) {
          // Loaded on demand: a cold start never evaluates the readers, and only the function serving imports
          // carries the .xlsx reader and charset detection (infra/bundling.ts).
          const [{ readSpreadsheet }, { readSubscriberCsv }] = await Promise.all([
            import('../adapters/spreadsheet/spreadsheet.ts'),
            import('../use-cases/subscribers/csv.ts'),
          ]);
          // The body is whole (bounded by MAX_IMPORT_BODY; API Gateway hands Lambda the event whole), and so is
          // its decoded text; the rows are not: read and written piece by piece (docs/performance.md).
          const sheet = await readSpreadsheet(req.body, {
            fileName: type.includes('spreadsheetml') ? 'upload.xlsx' : undefined,
            encoding: req.query.encoding ?? /charset=([\w-]+)/i.exec(type)?.[1],
          });
          const rows = readSubscriberCsv(sheet.text, { delimiter: sheet.delimiter });
          return json(200, await uc.importSubscribers(rows, flags));
        }
        const body = ImportRows.safeParse(readBody(req, MAX_IMPORT_BODY).data);
        if (!body.success)
          throw new ValidationError(`invalid import body: ${body.error.issues[0]?.message ?? ''}`);
        return json(
          200,
          await uc.importSubscribers(body.data.rows, { dryRun: body.data.dryRun, update: body.data.update }),
        );
      },
    },
    {
      method: 'GET',
      path: '/admin/subscribers/export',
      access: 'admin',
      handler: async (req) => {
        if (req.query.email) return json(200, await uc.exportPersonalData(req.query.email), PRIVATE);
        const format = req.query.format === 'json' ? 'json' : 'csv';
        if (req.query.format && !['csv', 'json'].includes(req.query.format)) {
          throw new ValidationError('format must be csv or json');
        }
        const statuses = req.query.status?.split(',').filter(Boolean).map(parseStatus);
        const out = await uc.exportSubscribers({ format, statuses });
        return {
          status: 200,
          headers: {
            'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
            'content-disposition': `attachment; filename="subscribers.${format}"`,
            'x-gazette-count': String(out.count),
            ...PRIVATE,
          },
          body: out.body,
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/subscribers/:id',
      access: 'admin',
      handler: async (req) => json(200, await uc.show(req.params.id ?? '')),
    },
    {
      method: 'DELETE',
      path: '/admin/subscribers/:id',
      access: 'admin',
      handler: async (req) => json(200, await uc.erase(req.params.id ?? '', req.actor ?? 'admin')),
    },
    {
      method: 'GET',
      path: '/admin/suppressions',
      access: 'admin',
      handler: async () => json(200, { items: await uc.suppressionAdmin.list() }),
    },
    {
      method: 'POST',
      path: '/admin/suppressions',
      access: 'admin',
      handler: async (req) => json(201, await uc.suppressionAdmin.add(readBody(req, MAX_PUBLIC_BODY).data)),
    },
    {
      method: 'DELETE',
      path: '/admin/suppressions/:key',
      access: 'admin',
      handler: async (req) => json(200, await uc.suppressionAdmin.remove(req.params.key ?? '')),
    },
    {
      // On AWS, SES events reach functions/ses-events.ts through SNS. This route feeds the same use case in the
      // embedded runtime and tests (body: an SNS Lambda event, one SNS notification, or a bare SES event).
      method: 'POST',
      path: '/admin/ses-events',
      access: 'admin',
      handler: async (req) => {
        const items = sesEventsFromBody(readBody(req, MAX_IMPORT_BODY).data);
        const results = [];
        for (const item of items) results.push(await uc.recordSesEvent(item));
        return json(200, { results });
      },
    },
  ];

  const routes: Route[] = [...publicRoutes, ...adminRoutes, ...audienceApp.routes];
  const jobs: JobHandlers = {};
  return {
    jobs,
    routes,
    subscriberRepo,
    suppressionRepo,
    statsRepo,
    links,
    /** Segment evaluation (count, sample, recipients) and the saved segments. */
    audiences: audienceApp.audiences,
    /**
     * For mail to the List-Unsubscribe mailto: (inbound path; its dependency is `(email, subject) => Promise<void>`):
     * the subscriber the subject's signed token names, else the sender.
     */
    unsubscribeByEmail: async (email: string, subject?: string): Promise<void> => {
      await uc.unsubscribeByMail({ from: email, subject });
    },
    /** For functions/ses-events.ts. */
    recordSesEvent: uc.recordSesEvent,
    useCases: uc,
  };
}
export type SubscribersApp = ReturnType<typeof composeSubscribers>;

// ---------------------------------------------------------------------------------------------------------

function tokenOf(req: HttpRequest, body: Record<string, unknown> = {}): string {
  const token = req.query.token ?? (typeof body.token === 'string' ? body.token : undefined);
  if (!token) throw new InvalidTokenError('the link has no token');
  return token;
}

/** Browsers and HTML forms get pages; API clients (JSON) get JSON. */
function wantsHtml(req: HttpRequest): boolean {
  const type = req.headers['content-type'] ?? '';
  if (req.method !== 'GET')
    return type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data');
  const accept = req.headers.accept ?? '';
  return !accept.includes('application/json') || accept.includes('text/html');
}

function requestLang(req: HttpRequest): Lang {
  return langOf(req.query.lang ?? req.headers['accept-language']?.split(',')[0]?.trim().toLowerCase());
}

/** JSON or an urlencoded form (repeated fields, like checkboxes, become arrays). */
function readBody(req: HttpRequest, max: number): { data: Record<string, unknown>; isForm: boolean } {
  if (req.body.length > max) throw new MessageTooLargeError('request body too large');
  const type = req.headers['content-type'] ?? '';
  const text = req.body.toString('utf8');
  if (type.includes('application/x-www-form-urlencoded')) {
    // Field names are the client's: '__proto__' or 'constructor' must stay plain keys.
    const data: Record<string, unknown> = Object.create(null);
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = data[k];
      data[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return { data, isForm: true };
  }
  if (type.includes('multipart/form-data')) {
    throw new ValidationError('send application/x-www-form-urlencoded or JSON');
  }
  if (!text.trim()) return { data: {}, isForm: false };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ValidationError('request body is not valid JSON');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new ValidationError('expected a JSON object');
  return { data: data as Record<string, unknown>, isForm: false };
}

function parseStatus(v: string): SubscriptionStatus {
  const r = SubscriptionStatus.safeParse(v);
  if (!r.success) throw new ValidationError(`status must be one of ${SubscriptionStatus.options.join(', ')}`);
  return r.data;
}

/** What a preferences token may see: the subscriber's own settings, nothing an operator added. */
function publicView(s: {
  email: string;
  name: string;
  language: string;
  timeZone: string;
  audiences: string[];
  status: string;
}) {
  return {
    email: maskEmail(s.email),
    name: s.name,
    language: s.language,
    timeZone: s.timeZone,
    audiences: s.audiences,
    status: s.status,
  };
}

function safeOrigin(o: string): string {
  try {
    return new URL(o).origin;
  } catch {
    return o;
  }
}

/**
 * Browsers say where a POST comes from: `Origin` (sent with every cross-origin POST, and by current browsers
 * with same-origin ones too) and `Sec-Fetch-Site`. A POST from another site's page is refused; one with
 * neither header comes from no browser page (curl, a server) and carries no visitor to abuse.
 */
function refuseCrossSite(req: HttpRequest, allowed: Set<string>): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!allowed.has(origin)) throw new ForbiddenError('form posted from another site');
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    throw new ForbiddenError('form posted from another site');
}

function htmlError(e: unknown, lang: Lang): HttpResponse {
  const status = errorResponse(e).status;
  if (!isDomainError(e)) return html(status, messagePage(lang, t(lang, 'errorTitle'), t(lang, 'errorTitle')));
  const err = e as DomainError;
  switch (err.code) {
    case 'invalid_token':
      return html(status, messagePage(lang, t(lang, 'invalidTitle'), t(lang, 'invalid')));
    case 'expired_token':
      return html(status, messagePage(lang, t(lang, 'expiredTitle'), t(lang, 'expired')));
    case 'forbidden':
      return html(status, messagePage(lang, t(lang, 'forbiddenTitle'), t(lang, 'crossSite')));
    case 'validation': {
      const problems = (err.details?.problems as { field: string; message: string }[] | undefined) ?? [];
      const items = problems.length
        ? `<ul>${problems.map((p) => `<li>${esc(p.field ? `${p.field}: ${p.message}` : p.message)}</li>`).join('')}</ul>`
        : `<p>${esc(err.message)}</p>`;
      return html(status, layout(lang, t(lang, 'errorTitle'), items));
    }
    default:
      return html(status, messagePage(lang, t(lang, 'errorTitle'), err.message));
  }
}
