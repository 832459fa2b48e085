/**
 * Fire one reminder. Target of the one-time EventBridge Scheduler schedules the reminders area creates
 * ({ gazetteScheduled: { type: 'reminder', deadlineId, offset, version } }); each deletes itself after the
 * invocation. Composes only reminders + the send engine's start (the fan-out runs in the dispatch function).
 */
import * as z from 'zod';
import { composeReminders } from '../src/app/reminders.ts';
import { composeSending, type SendingApp } from '../src/app/sending.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const infra = lambdaInfra();
let sending: SendingApp | undefined;
const reminders = composeReminders(infra, { startSend: (campaign, by) => sending!.startSend(campaign, by) });
sending = composeSending(infra, { sources: [reminders.source] });

export const ReminderEvent = z.object({
  gazetteScheduled: z.object({
    type: z.literal('reminder'),
    deadlineId: z.string().regex(/^[A-Za-z0-9_-]+$/),
    offset: z.string().regex(/^P[0-9DTHM]+$/),
    version: z.number().int().nonnegative(),
  }),
});

export const handler = async (event: unknown) => {
  const { gazetteScheduled: job } = ReminderEvent.parse(event);
  try {
    return { ok: true, ...(await reminders.fireReminder(job)) };
  } catch (err) {
    // A domain refusal (e.g. the item was cancelled a moment ago) is the same on every retry: report it.
    // Infrastructure errors are rethrown so Scheduler retries and, finally, the dead-letter queue holds it.
    if (isDomainError(err)) {
      infra.logger.warn('reminder not sent', { job, error: err.message });
      return { ok: false, error: err.message };
    }
    throw err;
  }
};
