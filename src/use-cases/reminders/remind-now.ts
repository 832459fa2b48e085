import { InvalidStateError, NotFoundError } from '../../domain/index.ts';
import { minuteStamp, reminderCampaign } from '../../domain/reminder-schedule.ts';
import { parseInput } from '../../domain/validate.ts';
import type { CampaignSource } from '../../ports/campaign-source.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeadlineRepo } from '../../ports/deadlines.ts';
import type { SuppressionRepo } from '../../ports/subscribers.ts';
import type { StartSend } from './deadlines.ts';
import { RemindNowInput } from './inputs.ts';

export interface RemindNowRecipient {
  subscriberId: string;
  email: string;
  name: string;
  timeZone: string;
  language: string;
}

export type RemindNowResult =
  | {
      dryRun: true;
      campaign: string;
      /** Who would receive it (suppressed addresses excluded), up to `limit`. */
      recipients: RemindNowRecipient[];
      count: number;
      suppressed: number;
      truncated: boolean;
    }
  | { dryRun: false; campaign: string; started: true };

/**
 * "Remind now": an extra wave outside the planned offsets. The campaign key carries the minute
 * (reminder#<id>#now-YYYYMMDDHHMM), so a double submit within the same minute is one wave, not two.
 */
export function makeRemindNow(deps: {
  repo: DeadlineRepo;
  source: CampaignSource;
  startSend: () => StartSend;
  suppressions?: () => Pick<SuppressionRepo, 'isSuppressed'> | undefined;
  clock: Clock;
}) {
  return async (deadlineId: string, input: unknown, actor: string): Promise<RemindNowResult> => {
    const opts = parseInput(RemindNowInput, input);
    const d = await deps.repo.get(deadlineId);
    if (!d) throw new NotFoundError(`no deadline or event ${deadlineId}`);
    if (d.status !== 'active') throw new InvalidStateError(`${deadlineId} is ${d.status}`);
    const campaign = reminderCampaign(deadlineId, { kind: 'now', stamp: minuteStamp(deps.clock.now()) });
    if (!opts.dryRun) {
      await deps.startSend()(campaign, actor);
      return { dryRun: false, campaign, started: true };
    }
    const suppressions = deps.suppressions?.();
    const recipients: RemindNowRecipient[] = [];
    let count = 0;
    let suppressed = 0;
    for await (const page of deps.source.recipients(campaign)) {
      for (const s of page) {
        if (suppressions && (await suppressions.isSuppressed(s.email))) {
          suppressed++;
          continue;
        }
        count++;
        if (recipients.length < opts.limit) {
          recipients.push({
            subscriberId: s.subscriberId,
            email: s.email,
            name: s.name,
            timeZone: s.timeZone,
            language: s.language,
          });
        }
      }
    }
    return { dryRun: true, campaign, recipients, count, suppressed, truncated: count > recipients.length };
  };
}
