import { DateTime } from 'luxon';
import * as z from 'zod';
import { DynamoEditionRepo } from '../adapters/dynamodb/edition-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoRecipientLookup } from '../adapters/dynamodb/recipient-lookup.ts';
import { DynamoSegmentRepo } from '../adapters/dynamodb/segment-repo.ts';
import { DynamoSendJobRepo } from '../adapters/dynamodb/send-job-repo.ts';
import { DynamoStatsRepo } from '../adapters/dynamodb/stats-repo.ts';
import { DynamoSubscriberRepo } from '../adapters/dynamodb/subscriber-repo.ts';
import { DynamoTemplateVersionRepo } from '../adapters/dynamodb/template-version-repo.ts';
import { DynamoUpdateRepo } from '../adapters/dynamodb/update-repo.ts';
import { Branding, EditionShapePatch } from '../domain/edition.ts';
import {
  ConfigError,
  type Edition,
  EditionAudienceRequest,
  isDomainError,
  NotFoundError,
  SegmentId,
  ValidationError,
} from '../domain/index.ts';
import {
  TemplateCheckResult,
  TemplateFileName,
  TemplateFiles,
  TemplatePreviewRequest,
  TemplateRollbackRequest,
  TemplateSaveRequest,
} from '../domain/template-set.ts';
import { parseJsonBody } from '../http/body.ts';
import { type HttpRequest, html, json, type Route } from '../http/types.ts';
import type { ApprovedUpdates } from '../ports/editions.ts';
import type { EditionRenderer } from '../ports/renderer.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { SegmentRepo } from '../ports/segments.ts';
import type { SuppressionCheck } from '../ports/sending.ts';
import type { StatsRepo } from '../ports/stats.ts';
import type { SubscriberRepo } from '../ports/subscribers.ts';
import type { TemplateWorkbench } from '../ports/templates.ts';
import { approvedUpdatesFrom } from '../use-cases/editions/approved-updates.ts';
import { makePublishArchive } from '../use-cases/editions/archive.ts';
import { makeBrandingStore } from '../use-cases/editions/branding.ts';
import { makeCompileEdition } from '../use-cases/editions/compile.ts';
import { loadEdition, makeEditionLifecycle } from '../use-cases/editions/lifecycle.ts';
import { chooseVariant, personalise } from '../use-cases/editions/personalise.ts';
import { makeEditionSends, type StartEditionSend } from '../use-cases/editions/schedule.ts';
import { makeEditionAudience } from '../use-cases/editions/schedule-audience.ts';
import { editionSettings } from '../use-cases/editions/settings.ts';
import { makeEditionShapes } from '../use-cases/editions/shape.ts';
import { makeEditionSource } from '../use-cases/editions/source.ts';
import { makeTemplateCheck, makeTemplateStore, oneRenderAtATime } from '../use-cases/editions/templates.ts';
import { makeTestSend } from '../use-cases/editions/test-send.ts';
import { makeAudiences } from '../use-cases/subscribers/segments.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

export interface EditionsDeps {
  /** Approved member updates (default: the inbound area's update repository over the same table). */
  updates?: ApprovedUpdates;
  /** The subscribers area's repository (default: its DynamoDB adapter over the same table). */
  subscribers?: SubscriberRepo;
  stats?: StatsRepo;
  /**
   * The send engine's start (wired late by src/app/outbound.ts; a second start of a campaign must fail with a
   * ConflictError): POST /admin/editions/:n/send and the scheduled send. Missing: those fail with a config error.
   */
  startSend?: StartEditionSend;
  /** The send engine's rerun: later readers' hours of a per-reader scheduled send (docs/editions.md). */
  rerunSend?: StartEditionSend;
  /** Saved segments an edition can target; default: DynamoDB over infra.table. */
  segments?: Pick<SegmentRepo, 'get'>;
  /** Member organisations (segments naming member types…); default: DynamoDB over infra.table. */
  members?: {
    get(memberId: string): Promise<{ type: string; status: string; country?: string } | undefined>;
  };
  /** Suppression list for dry runs (batched); default: the send engine's batched reads over infra.table. */
  suppressions?: SuppressionCheck;
}

/** Editions: compile, preview, test-send, approve, cancel, archive, stats, and the "edition#N" campaign source. */
export function composeEditions(infra: Infra, deps: EditionsDeps = {}) {
  const repo = new DynamoEditionRepo(infra.table);
  const updates = deps.updates ?? approvedUpdatesFrom(new DynamoUpdateRepo(infra.table), infra.logger);
  const stats = deps.stats ?? new DynamoStatsRepo(infra.table);
  const subscribers = deps.subscribers ?? new DynamoSubscriberRepo(infra.table);
  // Read per call: tests and the CLI point the public URLs at the running stack after start-up.
  const settings = () => editionSettings(infra.config);
  const { clock, logger } = infra;
  const content = infra.blobs.content;

  const branding = makeBrandingStore({ content, clock });
  // Compiles and template checks render with stored files: one at a time (see oneRenderAtATime).
  const renderer = oneRenderAtATime(infra.renderer);
  const templates = makeTemplateStore({
    versions: new DynamoTemplateVersionRepo(infra.table),
    content,
    workbench: () => templateWorkbench(infra, renderer),
    editions: repo,
    clock,
    languages: () => settings().languages,
  });
  // The set the compile renders with decides which languages have strings: a strings file saved in the
  // store gives its readers their variant, as one in templates/ does.
  let compileSet: TemplateFiles | undefined;
  const compileRenderer = async (): Promise<EditionRenderer> => {
    const r = await renderer();
    const withSet = Object.create(r) as EditionRenderer;
    withSet.languages = () =>
      compileSet
        ? Object.keys(compileSet)
            .filter((f) => f.startsWith('strings/'))
            .map((f) => f.slice('strings/'.length, -'.json'.length))
        : (r.languages?.() ?? []);
    return withSet;
  };
  const compile = makeCompileEdition({
    // The saved template set (else the templates/ folder) and branding, read once per compile.
    templates: async () => {
      compileSet = await templates.active();
      return { branding: await branding.active(), files: compileSet };
    },
    editions: repo,
    updates,
    renderer: compileRenderer,
    content,
    clock,
    logger,
    settings,
    // One variant per language the newsletter's readers have (and the templates have strings for), beside
    // the configured ones: a Japanese reader gets the Japanese edition. Read once per compile.
    readerLanguages: async () => {
      const found = new Set<string>();
      for await (const page of subscribers.listByStatus('confirmed'))
        for (const s of page) if (s.language && s.audiences.includes('newsletter')) found.add(s.language);
      return [...found];
    },
  });
  // Lazy: on AWS `infra.scheduler` builds a client that needs env vars only some functions have.
  const scheduler: Scheduler = {
    upsert: (x) => infra.scheduler.upsert(x),
    delete: (name) => infra.scheduler.delete(name),
  };
  const lifecycle = makeEditionLifecycle({
    editions: repo,
    stats,
    clock,
    sendJobs: new DynamoSendJobRepo(infra.table),
    scheduler,
  });
  const segments = deps.segments ?? new DynamoSegmentRepo(infra.table);
  const audience = makeEditionAudience({
    audiences: makeAudiences({
      segments,
      subscribers,
      members: deps.members ?? new DynamoMemberRepo(infra.table),
    }),
    segments,
    suppressions: deps.suppressions ?? new DynamoRecipientLookup(infra.table),
    clock,
  });
  const sends = makeEditionSends({
    editions: repo,
    audience,
    scheduler,
    startSend: (campaign, by) => {
      if (!deps.startSend)
        throw new ConfigError('editions: the send engine (startSend) is not wired (see EditionsDeps)');
      return deps.startSend(campaign, by);
    },
    rerunSend: deps.rerunSend,
    clock,
    logger: logger.child({ area: 'editions' }),
    timeZone: () => infra.config.GAZETTE_EDITION_TIMEZONE,
  });
  const shapes = makeEditionShapes({ editions: repo, content });
  const testSend = makeTestSend({ editions: repo, content, mailer: infra.mailer, logger, settings });
  const publishArchive = makePublishArchive({
    editions: repo,
    lifecycle,
    updates,
    content,
    archive: infra.blobs.archive,
    clock,
    logger,
    settings,
  });
  const source = makeEditionSource({
    editions: repo,
    content,
    settings,
    subscribers,
    recipientsOf: (e) => audience.dueRecipients(e),
    requireAudience: (e) => audience.requireRecipients(e, 'sent'),
  });

  const jobs: JobHandlers = {
    'compile-edition': async (job) => {
      await compile({
        windowStart: job.windowStart ? new Date(job.windowStart) : undefined,
        windowEnd: job.windowEnd ? new Date(job.windowEnd) : undefined,
        requestedBy: job.requestedBy,
      });
    },
    'send-edition': async (job) => {
      const out = await sends.fire(job);
      const log = logger.child({ area: 'editions', edition: job.number });
      if (out.outcome === 'failed') log.warn('scheduled edition send refused for good', { ...out });
      else log.info('scheduled edition send fired', { ...out });
    },
  };

  const number = (req: HttpRequest) => {
    const n = Number(req.params.number);
    if (!Number.isInteger(n) || n <= 0)
      throw new ValidationError(`"${req.params.number}" is not an edition number`);
    return n;
  };
  const actor = (req: HttpRequest) => req.actor ?? 'unknown';
  const tz = () => infra.config.GAZETTE_EDITION_TIMEZONE;

  const CompileBody = z.object({
    from: z.string().optional(),
    to: z.string().optional(),
    /** Compile in this request and answer with the edition (falls back to a background job where the API has no renderer). */
    wait: z.boolean().default(false),
  });

  /** The edition in the path and its language variant (?lang=, else the first rendered one). */
  const editionVariant = async (req: HttpRequest) => {
    const e = await loadEdition(repo, number(req));
    if (!e.variants.length)
      throw new NotFoundError(`edition ${e.number} has no rendered content (no language variant)`);
    return { e, v: chooseVariant(e.variants, req.query.lang ?? e.variants[0]?.language ?? 'en') };
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/admin/editions/compile',
      access: 'admin',
      handler: async (req) => {
        const body = parseJsonBody(req, CompileBody);
        const windowStart = body.from ? parseWindowDate(body.from, tz(), 'start') : undefined;
        const windowEnd = body.to ? parseWindowDate(body.to, tz(), 'end') : undefined;
        const requestedBy = actor(req);
        if (body.wait && (await hasRenderer(infra))) {
          const edition = await compile({ windowStart, windowEnd, requestedBy });
          return json(201, { edition: summary(edition) });
        }
        const requestedAt = clock.now().toISOString();
        await infra.jobs.run({
          type: 'compile-edition',
          windowStart: windowStart?.toISOString(),
          windowEnd: windowEnd?.toISOString(),
          requestedBy,
        });
        return json(202, { accepted: true, requestedAt });
      },
    },
    {
      method: 'GET',
      path: '/admin/editions',
      access: 'admin',
      handler: async () => {
        const [editions, counter] = await Promise.all([lifecycle.list(), repo.counter()]);
        return json(200, {
          editions: editions.map(summary),
          draft: counter.draft ?? null,
          lastCompile: counter.lastCompile ?? null,
        });
      },
    },
    {
      method: 'GET',
      path: '/admin/editions/:number',
      access: 'admin',
      // With the zone a scheduled time defaults to (GAZETTE_EDITION_TIMEZONE), so a form can name it.
      handler: async (req) => json(200, { edition: await lifecycle.show(number(req)), timeZone: tz() }),
    },
    {
      method: 'GET',
      path: '/admin/editions/:number/preview',
      access: 'admin',
      handler: async (req) => {
        const format = req.query.format === 'text' ? 'text' : 'html';
        if (req.query.archive === '1' && format === 'text')
          throw new ValidationError(
            'the archive copy is HTML only: drop format=text, or drop archive=1 for the text part',
          );
        const { v } = await editionVariant(req);
        const key =
          req.query.archive === '1' ? (v.archiveKey ?? v.htmlKey) : format === 'text' ? v.textKey : v.htmlKey;
        let body = await content.getText(key);
        if (req.query.raw !== '1') body = personalise(body, previewValues(settings().publicUrl), format);
        return format === 'text'
          ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body }
          : html(200, body);
      },
    },
    {
      method: 'GET',
      path: '/admin/editions/:number/model',
      access: 'admin',
      handler: async (req) => {
        const { e, v } = await editionVariant(req);
        if (!v.modelKey) throw new ValidationError(`edition ${e.number} has no stored template data`);
        return json(200, { language: v.language, model: JSON.parse(await content.getText(v.modelKey)) });
      },
    },
    {
      method: 'POST',
      path: '/admin/editions/:number/test-send',
      access: 'admin',
      handler: async (req) => {
        const body = parseJsonBody(
          req,
          z.object({
            to: z.union([z.string(), z.array(z.string())]),
            languages: z.array(z.string()).optional(),
          }),
        );
        const to = (Array.isArray(body.to) ? body.to : body.to.split(','))
          .map((a) => a.trim())
          .filter(Boolean);
        return json(
          200,
          await testSend(number(req), { to, languages: body.languages, requestedBy: actor(req) }),
        );
      },
    },
    {
      method: 'POST',
      path: '/admin/editions/:number/approve',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const body = parseJsonBody(
          req,
          z.object({
            revision: z.string().optional(),
            by: z.string().trim().min(1).max(100).optional(),
            /** Target this saved segment instead of every reader of the edition's list. */
            segmentId: SegmentId.optional(),
          }),
        );
        const by = body.by ? `${actor(req)} (${body.by})` : actor(req);
        const n = number(req);
        const target = body.segmentId
          ? await sends.targetForApproval(await lifecycle.show(n), body.segmentId, by)
          : undefined;
        return json(200, { edition: await lifecycle.approve(n, by, { revision: body.revision, target }) });
      },
    },
    {
      // Dry run: count, sample and spread of the audience (?segment=<id> tries another segment unsaved).
      method: 'GET',
      path: '/admin/editions/:number/audience',
      access: 'admin',
      handler: async (req) =>
        json(
          200,
          await sends.preview(number(req), {
            sample: req.query.sample === undefined ? undefined : sampleOf(req.query.sample),
            segmentId: req.query.segment === undefined ? undefined : parseQuerySegment(req.query.segment),
          }),
        ),
    },
    {
      method: 'PUT',
      path: '/admin/editions/:number/audience',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const body = parseJsonBody(req, EditionAudienceRequest);
        const edition = await sends.setAudience(number(req), body.segmentId, actor(req));
        return json(200, { edition });
      },
    },
    {
      // Send now (202 with the send job), or {dryRun: true} (200 with the audience).
      method: 'POST',
      path: '/admin/editions/:number/send',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const out = await sends.send(
          number(req),
          req.body.length ? parseJsonBody(req, JsonObject) : {},
          actor(req),
        );
        return json(out.dryRun ? 200 : 202, out);
      },
    },
    {
      method: 'PUT',
      path: '/admin/editions/:number/schedule',
      access: 'admin',
      role: 'approver',
      handler: async (req) =>
        json(200, { edition: await sends.schedule(number(req), parseJsonBody(req, JsonObject), actor(req)) }),
    },
    {
      method: 'DELETE',
      path: '/admin/editions/:number/schedule',
      access: 'admin',
      role: 'approver',
      handler: async (req) => json(200, { edition: await sends.unschedule(number(req), actor(req)) }),
    },
    {
      method: 'GET',
      path: '/admin/templates/branding',
      access: 'admin',
      handler: async () =>
        json(200, { current: (await branding.current()) ?? null, versions: await branding.versions() }),
    },
    {
      // Logo, colours, footer text and address, summary length: applied from the next compile. What every
      // reader gets without a later approval: approvers only, as sending is.
      method: 'PUT',
      path: '/admin/templates/branding',
      access: 'admin',
      role: 'approver',
      handler: async (req) =>
        json(200, { saved: await branding.save(parseJsonBody(req, Branding), actor(req)) }),
    },
    ...templateRoutes(templates, actor),
    {
      method: 'GET',
      path: '/admin/editions/:number/shape',
      access: 'admin',
      handler: async (req) => json(200, { shape: await shapes.get(number(req)) }),
    },
    {
      // Title, period, foreword, sections, order, featured of a draft; the next compile applies it.
      method: 'PATCH',
      path: '/admin/editions/:number/shape',
      access: 'admin',
      handler: async (req) =>
        json(200, { shape: await shapes.patch(number(req), parseJsonBody(req, EditionShapePatch)) }),
    },
    {
      method: 'POST',
      path: '/admin/editions/:number/cancel',
      access: 'admin',
      handler: async (req) => json(200, { edition: await lifecycle.cancel(number(req), actor(req)) }),
    },
    {
      method: 'GET',
      path: '/admin/editions/:number/stats',
      access: 'admin',
      handler: async (req) => {
        const r = await lifecycle.stats(number(req));
        // Clicks per link (URL → clicks, most clicked first), from one Query of the campaign's link counters.
        const links = Object.fromEntries(
          ((await stats.linkClicks?.(r.stats.campaign)) ?? []).map((l) => [l.link, l.clicks]),
        );
        return json(200, { edition: summary(r.edition), stats: { ...r.stats, links } });
      },
    },
    {
      method: 'POST',
      path: '/admin/editions/:number/archive',
      access: 'admin',
      handler: async (req) => {
        const r = await publishArchive(number(req));
        return json(200, { url: r.url, edition: summary(r.edition) });
      },
    },
  ];

  return {
    routes,
    jobs,
    source,
    compile,
    publishArchive,
    testSend,
    lifecycle,
    /** Audience (dry run, target) and the send now / scheduled send of an approved edition. */
    sends,
    audience,
    /** For the send engine: record that a send started, paused or finished. */
    setSendStatus: lifecycle.setSendStatus,
    repo,
    /** The edition templates in the content store (versions, check, preview). */
    templates,
  };
}

/** The edition templates (issue 15): list, show, preview, save, versions, rollback. */
function templateRoutes(
  templates: ReturnType<typeof makeTemplateStore>,
  actor: (req: HttpRequest) => string,
): Route[] {
  const etag = (version: number) => ({ etag: `"${version}"` });
  /** If-Match: "3" (the ETag of GET /admin/templates) is the version the change was made on. */
  const ifMatch = (req: HttpRequest): number | undefined => {
    const raw = req.headers['if-match'];
    if (raw === undefined) return undefined;
    const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(raw);
    if (!m)
      throw new ValidationError(`If-Match: "${raw}" is not a template version (use the ETag, e.g. "3")`);
    return Number(m[1]);
  };
  const fileName = (req: HttpRequest) => {
    const r = TemplateFileName.safeParse(req.query.name ?? '');
    if (!r.success)
      throw new ValidationError(
        `name: ${r.error.issues[0]?.message ?? 'not a template file'} (got "${req.query.name ?? ''}")`,
      );
    return r.data;
  };
  return [
    {
      method: 'GET',
      path: '/admin/templates',
      access: 'admin',
      handler: async () => {
        const list = await templates.list();
        return json(200, list, etag(list.version));
      },
    },
    {
      method: 'GET',
      path: '/admin/templates/file',
      access: 'admin',
      handler: async (req) => {
        const file = await templates.show(fileName(req));
        return json(200, file, etag(file.version));
      },
    },
    {
      // Proposed files over the active set, rendered with the open draft's data (or the sample); nothing saved.
      method: 'POST',
      path: '/admin/templates/preview',
      access: 'admin',
      handler: async (req) => json(200, await templates.preview(parseJsonBody(req, TemplatePreviewRequest))),
    },
    {
      // Validated and rendered first (422 with the problems); 409 when another save came in between.
      method: 'PUT',
      path: '/admin/templates',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const out = await templates.save(parseJsonBody(req, TemplateSaveRequest), actor(req), ifMatch(req));
        return json(out.unchanged ? 200 : 201, out, etag(out.saved.version));
      },
    },
    {
      method: 'GET',
      path: '/admin/templates/versions',
      access: 'admin',
      handler: async () => json(200, await templates.versions()),
    },
    {
      method: 'POST',
      path: '/admin/templates/rollback',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const body = parseJsonBody(req, TemplateRollbackRequest);
        const out = await templates.rollback(body.version, body.baseVersion ?? ifMatch(req), actor(req));
        return json(out.unchanged ? 200 : 201, out, etag(out.saved.version));
      },
    },
  ];
}

/**
 * Where template checks run: in-process where the runtime has mjml (the embedded runtime, the compile
 * function), else (the api on AWS) a synchronous request to the compile function.
 */
function templateWorkbench(infra: Infra, renderer: () => Promise<EditionRenderer>): TemplateWorkbench {
  const tools = infra.templateTools;
  if (tools) {
    const local = tools().then((t) => makeTemplateCheck({ renderer, tools: t }));
    return { folder: async () => (await local).folder(), check: async (r) => (await local).check(r) };
  }
  const ask = (request: Parameters<NonNullable<Infra['jobs']['ask']>>[0]) => {
    const jobs = infra.jobs;
    if (!jobs.ask)
      throw new ConfigError('templates: this runtime has no mjml and no compile function to check them');
    return jobs.ask(request);
  };
  return {
    folder: async () => TemplateFiles.parse(await ask({ gazetteTemplates: { op: 'folder' } })),
    check: async (r) => TemplateCheckResult.parse(await ask({ gazetteTemplates: { op: 'check', ...r } })),
  };
}
export type EditionsApp = ReturnType<typeof composeEditions>;

export function summary(e: Edition) {
  return {
    number: e.number,
    title: e.title,
    status: e.status,
    items: e.items.length,
    languages: e.variants.map((v) => v.language),
    windowStart: e.windowStart,
    windowEnd: e.windowEnd,
    compiledAt: e.compiledAt,
    revision: e.revision,
    approvedBy: e.approvedBy,
    approvedAt: e.approvedAt,
    sentAt: e.sentAt,
    archiveUrl: e.archiveUrl,
    skipped: e.skipped.length,
    /** The targeted segment (absent: every confirmed reader of the edition's list). */
    segmentId: e.target?.segmentId,
    /** The scheduled send, if any: at (UTC), localTime + timeZone as given, firedAt, error. */
    schedule: e.schedule,
  };
}

const JsonObject = z.record(z.string(), z.unknown());

const sampleOf = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new ValidationError('sample must be 0 to 100');
  return n;
};

/** ?segment=<id> tries that segment; ?segment= (empty) or "none" tries every reader of the list. */
const parseQuerySegment = (v: string): string | null => {
  if (v === '' || v === 'none') return null;
  const r = SegmentId.safeParse(v);
  if (!r.success) throw new ValidationError(`"${v}" is not a segment id`);
  return r.data;
};

const previewValues = (publicUrl: string) => {
  const base = publicUrl.replace(/\/$/, '');
  return {
    name: 'Test Reader',
    email: 'reader@example.org',
    unsubscribe_url: `${base}/v1/unsubscribe?token=PREVIEW`,
    preferences_url: `${base}/v1/preferences?token=PREVIEW`,
  };
};

/** "2026-03-31" means the whole day in the edition's time zone (an end date is inclusive); full instants pass as they are. */
export function parseWindowDate(s: string, tz: string, edge: 'start' | 'end'): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const dt = DateTime.fromISO(s, { zone: tz, setZone: false });
  if (!dt.isValid) throw new ValidationError(`"${s}" is not a date (use YYYY-MM-DD or an ISO-8601 instant)`);
  return (dateOnly && edge === 'end' ? dt.plus({ days: 1 }) : dt).toJSDate();
}

async function hasRenderer(infra: Infra): Promise<boolean> {
  try {
    await infra.renderer();
    return true;
  } catch (e) {
    if (isDomainError(e) && e.code === 'config') return false;
    throw e;
  }
}
