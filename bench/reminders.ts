/**
 * Reminder benchmark (called by bench/run.ts):
 *   reminder_lateness_p99_ms   p99 of (moment the reminder's wave is handed to the send engine − the reminder's
 *                              due time), for many reminders due at scattered times over a few seconds, fired
 *                              by the embedded runtime's real scheduler loop (1 s poll) on the system clock: schedules in
 *                              dynalite, the fire use case (item and reminder reads, conditional writes).
 *                              Target (issue 6): ≤ 60 000 ms. The send itself is measured by the send bench.
 */
import { composeReminders } from '../src/app/reminders.ts';
import { startBenchStack } from './support.ts';

export async function benchReminders(
  opts: { reminders?: number; spreadMs?: number } = {},
): Promise<{ reminder_lateness_p99_ms: number }> {
  const n = opts.reminders ?? 100;
  const spreadMs = opts.spreadMs ?? 6_000;
  const stack = await startBenchStack();
  try {
    const lateness: number[] = [];
    const due = new Map<string, number>();
    let done!: () => void;
    const allFired = new Promise<void>((r) => {
      done = r;
    });
    const reminders = composeReminders(stack.infra, {
      startSend: async (campaign) => {
        const at = due.get(campaign);
        if (at === undefined) return;
        lateness.push(Date.now() - at);
        due.delete(campaign);
        if (due.size === 0) done();
      },
    });
    stack.scheduler.setTarget(async (job) => {
      if (job.type === 'reminder') await reminders.fireReminder(job);
    });

    // Items due an hour after their PT1H reminder; reminders fall between `lead` and `lead + spread` from now.
    // Created 16 at a time; `lead` leaves room for that, and a reminder planned late would fail the run.
    const lead = 4_500;
    const start = Date.now() + lead;
    const create = async (i: number) => {
      const fireAt = start + Math.floor((i / n) * spreadMs) + (i % 7) * 113;
      const { deadline, reminders: planned } = await reminders.createDeadline({
        title: `Bench deadline ${i}`,
        due: new Date(fireAt + 3_600_000).toISOString(),
        timeZone: ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York'][i % 3],
        offsets: ['PT1H'],
      });
      if (planned[0]?.status !== 'pending') throw new Error('setup too slow: a reminder was already late');
      due.set(`reminder#${deadline.deadlineId}#PT1H`, new Date(planned[0].fireAt).getTime());
    };
    for (let i = 0; i < n; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, k) => create(i + k)));
    }
    stack.scheduler.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, start + spreadMs + 8_000 - Date.now());
    });
    await Promise.race([allFired, timeout]);
    clearTimeout(timer);
    stack.scheduler.stop();
    await stack.scheduler.idle();
    if (due.size) throw new Error(`${due.size} of ${n} reminders did not fire in time`);
    lateness.sort((a, b) => a - b);
    const p99 = lateness[Math.min(lateness.length - 1, Math.ceil(lateness.length * 0.99) - 1)]!;
    return { reminder_lateness_p99_ms: Math.max(0, p99) };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const r = await benchReminders();
  console.log(JSON.stringify({ ...r, seconds: (Date.now() - t0) / 1000 }));
}
