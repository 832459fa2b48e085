/**
 * Fire one reminder. Target of the one-time EventBridge Scheduler schedules the reminders area creates
 * ({ gazetteScheduled: { type: 'reminder', deadlineId, offset, version } }); each deletes itself after the
 * invocation. Composes only reminders + the send engine's start (the fan-out runs in the dispatch function).
 * The same target starts an edition's scheduled send ({ gazetteScheduled: { type: 'send-edition', number,
 * at } }, docs/editions.md "Scheduled send"), so editions' schedules need no function or permission of their own.
 */
import * as z from 'zod';
import { composeEditions } from '../src/app/editions.ts';
import { composeReminders } from '../src/app/reminders.ts';
import { composeSending, type SendingApp } from '../src/app/sending.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { Instant } from '../src/domain/index.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { lambdaInfra, lambdaMetrics } from '../src/runtimes/lambda/infra.ts';

// Composed by the first fire, not at load.
const area = onFirstUse(() => {
  const infra = lambdaInfra();
  let sending: SendingApp | undefined;
  const reminders = composeReminders(infra, {
    startSend: (campaign, by) => sending!.startSend(campaign, by),
    metrics: lambdaMetrics(),
  });
  const editions = composeEditions(infra, {
    startSend: (campaign, by) => sending!.startSend(campaign, by),
    rerunSend: (campaign, by) => sending!.rerun(campaign, by),
  });
  sending = composeSending(infra, {
    sources: [reminders.source, editions.source],
    // As src/app/outbound.ts: the edition shows `sending` once its scheduled send has started.
    onStatusChange: async (campaign, status) => {
      const n = /^edition#(\d+)$/.exec(campaign)?.[1];
      if (n && status === 'running') await editions.setSendStatus(Number(n), 'sending');
    },
  });
  return { infra, reminders, editions };
});

export const ReminderEvent = z.object({
  gazetteScheduled: z.object({
    type: z.literal('reminder'),
    deadlineId: z.string().regex(/^[A-Za-z0-9_-]+$/),
    offset: z.string().regex(/^P[0-9DTHM]+$/),
    version: z.number().int().nonnegative(),
  }),
});

/** An edition's scheduled send (src/use-cases/editions/schedule.ts). */
export const EditionSendEvent = z.object({
  gazetteScheduled: z.object({
    type: z.literal('send-edition'),
    number: z.number().int().positive(),
    at: Instant,
  }),
});

export const handler = async (event: unknown) => {
  const { infra, reminders, editions } = area();
  const edition = EditionSendEvent.safeParse(event);
  if (edition.success) {
    // Refusals a retry cannot fix (an audience that became empty) are recorded on the edition and answered;
    // anything else is thrown, so Scheduler retries and finally the alarmed DLQ keeps it. A repeat fire
    // finds the send started and sends nothing twice.
    const out = await editions.sends.fire(edition.data.gazetteScheduled);
    return { ok: out.outcome !== 'failed', ...out };
  }
  const { gazetteScheduled: job } = ReminderEvent.parse(event);
  try {
    const out = await reminders.fireReminder(job);
    // A refusal a retry cannot fix (a configuration problem) is recorded on the reminder (`failed`, with the
    // reason `gazette deadlines show` prints): answered, so Scheduler does not repeat it in vain. Logged as an
    // error for the operator; an update of the item re-plans the reminder once the cause is fixed.
    return { ok: out.outcome !== 'failed', ...out };
  } catch (err) {
    // Other final refusals (the item was cancelled or the reminder removed during the fire) are settled by
    // fireReminder itself (the reminder becomes `cancelled`). Whatever still fails (transient: throttling,
    // an AWS error) left the reminder `sending`: rethrown, so Scheduler retries (a retry completes the wave)
    // and, finally, the alarmed dead-letter queue holds it. Answering would end the schedule with nothing sent.
    infra.logger.warn('reminder not sent: Scheduler will retry', {
      job,
      error: (err as Error).message,
      domain: isDomainError(err),
    });
    throw err;
  }
};
