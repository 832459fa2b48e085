import { type Deadline, NotFoundError, type Subscriber } from '../../domain/index.ts';
import { isDayOffset, parseReminderCampaign, readerReminderTime } from '../../domain/reminder-schedule.ts';
import type { CampaignSource } from '../../ports/campaign-source.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeadlineRepo, MemberLookup } from '../../ports/deadlines.ts';
import type { SegmentRepo } from '../../ports/segments.ts';
import type { SubscriberRepo } from '../../ports/subscribers.ts';
import type { SystemLayoutSource } from '../shared/system-layout-source.ts';
import { makeAudiences } from '../subscribers/segments.ts';
import { prepareReminderMessage } from './reminder-message.ts';

export interface ReminderSourceDeps {
  repo: DeadlineRepo;
  subscribers: () => Pick<SubscriberRepo, 'listByStatus'>;
  /** Needed only for member audiences and segments naming members (one read per organisation per wave). */
  members: () => MemberLookup;
  /** Saved segments (audience kind "segment"). */
  segments?: () => Pick<SegmentRepo, 'get'>;
  clock: Clock;
  config: { from: string; newsletterName: string; postalAddress?: string };
  /** The system-mail layout saved in the template store, if any (else the built-in one). */
  systemLayout?: SystemLayoutSource;
}

const NO_SEGMENTS = { get: async () => undefined };

/**
 * Who gets a reminder: confirmed subscribers who opted into reminders, narrowed by the item's audience
 * (a SegmentFilter, see scopeFilter and docs/subscribers.md "Segments"):
 *   all            → everyone with the audience (default "reminders")
 *   members        → … whose subscriber record belongs to an active member organisation
 *   member-type:X  → … whose member organisation is active and of type X
 *   segment:<id>   → a saved segment; filter → an inline one
 * With a reader time (docs/reminders.md "Each reader's hour"), a day reminder's recipients are the readers
 * whose local hour has come: each later fire of the wave adds the next zones (claims keep it once each).
 * Unsubscribe links carry the scope "reminders" (the send engine derives it from the campaign key).
 * A cancelled item has no recipients, so a wave still being planned when the item is cancelled sends nothing.
 */
export function makeReminderSource(deps: ReminderSourceDeps) {
  const audiences = makeAudiences({
    subscribers: { listByStatus: (status) => deps.subscribers().listByStatus(status) },
    members: { get: (id) => deps.members().get(id) },
    segments: { get: (id) => (deps.segments?.() ?? NO_SEGMENTS).get(id) },
  });

  async function deadlineOf(
    campaign: string,
  ): Promise<{ d: Deadline; parsed: NonNullable<ReturnType<typeof parseReminderCampaign>> }> {
    const parsed = parseReminderCampaign(campaign);
    if (!parsed) throw new NotFoundError(`not a reminder campaign: ${campaign}`);
    const d = await deps.repo.get(parsed.deadlineId);
    if (!d) throw new NotFoundError(`no deadline or event ${parsed.deadlineId}`);
    return { d, parsed };
  }

  /** The readers of an item (confirmed, in its audience), page by page. */
  async function* audienceOf(d: Deadline): AsyncIterable<Subscriber[]> {
    yield* audiences.select(await audiences.filterOf(d.audience, 'reminders'), { sendable: true });
  }

  /** The next reader time of a day wave after `after` (undefined: every reader's hour has come). */
  async function nextReaderTime(d: Deadline, offset: string, after: Date): Promise<Date | undefined> {
    if (!d.readerTime || !isDayOffset(offset)) return undefined;
    const byZone = new Map<string, number>();
    let next: number | undefined;
    for await (const page of audienceOf(d))
      for (const s of page) {
        let t = byZone.get(s.timeZone);
        if (t === undefined) {
          t = readerReminderTime(d, offset, s.timeZone).getTime();
          byZone.set(s.timeZone, t);
        }
        if (t > after.getTime() && (next === undefined || t < next)) next = t;
      }
    return next === undefined ? undefined : new Date(next);
  }

  const source = {
    handles: (campaign: string) => parseReminderCampaign(campaign) !== undefined,
    async ready(campaign: string) {
      const parsed = parseReminderCampaign(campaign);
      const d = parsed && (await deps.repo.get(parsed.deadlineId));
      if (!d) return `no deadline or event for ${campaign}`;
      return d.status === 'active' ? true : `${d.deadlineId} is ${d.status}`;
    },
    async *recipients(campaign: string) {
      const { d, parsed } = await deadlineOf(campaign);
      if (d.status !== 'active') return;
      const wave = parsed.wave;
      const perReader = wave.kind === 'offset' && Boolean(d.readerTime) && isDayOffset(wave.offset);
      const now = deps.clock.now().getTime();
      const byZone = new Map<string, boolean>();
      const hasCome = (s: Subscriber) => {
        if (!perReader || wave.kind !== 'offset') return true;
        let yes = byZone.get(s.timeZone);
        if (yes === undefined) {
          yes = readerReminderTime(d, wave.offset, s.timeZone).getTime() <= now;
          byZone.set(s.timeZone, yes);
        }
        return yes;
      };
      for await (const page of audienceOf(d)) {
        const keep = page.filter(hasCome);
        if (keep.length) yield keep;
      }
    },
    async prepare(campaign: string) {
      const { d, parsed } = await deadlineOf(campaign);
      return prepareReminderMessage(d, parsed.wave, {
        from: deps.config.from,
        newsletterName: deps.config.newsletterName,
        postalAddress: deps.config.postalAddress,
        now: deps.clock.now(),
        campaign,
        layoutHtml: await deps.systemLayout?.(),
      });
    },
    nextReaderTime,
    /** Count and sample of an audience (dry runs); `requireRecipients` refuses an empty one. */
    audiences,
  } satisfies CampaignSource & Record<string, unknown>;
  return source;
}
export type ReminderSource = ReturnType<typeof makeReminderSource>;
