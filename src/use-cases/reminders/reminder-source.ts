import { type Deadline, NotFoundError, type Subscriber } from '../../domain/index.ts';
import { parseReminderCampaign } from '../../domain/reminder-schedule.ts';
import type { CampaignSource } from '../../ports/campaign-source.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeadlineRepo, MemberLookup } from '../../ports/deadlines.ts';
import type { SubscriberRepo } from '../../ports/subscribers.ts';
import { prepareReminderMessage } from './reminder-message.ts';

export interface ReminderSourceDeps {
  repo: DeadlineRepo;
  subscribers: () => Pick<SubscriberRepo, 'listByStatus'>;
  /** Needed only for "members" and "member-type" audiences. */
  members: () => MemberLookup;
  clock: Clock;
  config: { from: string; newsletterName: string };
}

/**
 * Who gets a reminder: confirmed subscribers who opted into reminders, narrowed by the item's audience:
 *   all            → everyone with the audience (default "reminders")
 *   members        → … whose subscriber record belongs to an active member organisation
 *   member-type:X  → … whose member organisation is active and of type X
 * Unsubscribe links carry the scope "reminders" (the send engine derives it from the campaign key).
 * A cancelled item has no recipients, so a wave still being planned when the item is cancelled sends nothing.
 */
export function makeReminderSource(deps: ReminderSourceDeps): CampaignSource {
  async function deadlineOf(
    campaign: string,
  ): Promise<{ d: Deadline; parsed: NonNullable<ReturnType<typeof parseReminderCampaign>> }> {
    const parsed = parseReminderCampaign(campaign);
    if (!parsed) throw new NotFoundError(`not a reminder campaign: ${campaign}`);
    const d = await deps.repo.get(parsed.deadlineId);
    if (!d) throw new NotFoundError(`no deadline or event ${parsed.deadlineId}`);
    return { d, parsed };
  }

  function eligibility(d: Deadline) {
    const audience = d.audience.kind === 'all' ? d.audience.audience : 'reminders';
    const memberCache = new Map<string, Promise<{ type: string; status: string } | undefined>>();
    const member = (id: string) => {
      let p = memberCache.get(id);
      if (!p) {
        p = deps.members().get(id);
        memberCache.set(id, p);
      }
      return p;
    };
    return async (s: Subscriber): Promise<boolean> => {
      if (s.status !== 'confirmed' || !s.audiences.includes(audience)) return false;
      if (d.audience.kind === 'all') return true;
      if (!s.memberId) return false;
      const m = await member(s.memberId);
      if (m?.status !== 'active') return false;
      return d.audience.kind === 'members' || m.type === d.audience.memberType;
    };
  }

  return {
    handles: (campaign) => parseReminderCampaign(campaign) !== undefined,
    async ready(campaign) {
      const parsed = parseReminderCampaign(campaign);
      const d = parsed && (await deps.repo.get(parsed.deadlineId));
      if (!d) return `no deadline or event for ${campaign}`;
      return d.status === 'active' ? true : `${d.deadlineId} is ${d.status}`;
    },
    async *recipients(campaign) {
      const { d } = await deadlineOf(campaign);
      if (d.status !== 'active') return;
      const eligible = eligibility(d);
      for await (const page of deps.subscribers().listByStatus('confirmed')) {
        const keep: Subscriber[] = [];
        for (const s of page) if (await eligible(s)) keep.push(s);
        if (keep.length) yield keep;
      }
    },
    async prepare(campaign) {
      const { d, parsed } = await deadlineOf(campaign);
      return prepareReminderMessage(d, parsed.wave, {
        from: deps.config.from,
        newsletterName: deps.config.newsletterName,
        now: deps.clock.now(),
        campaign,
      });
    },
  };
}
