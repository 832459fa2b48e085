/** What a schedule fires. The same payload reaches the Lambda (EventBridge Scheduler) and the local scheduler. */
export type ScheduledJob =
  | { type: 'compile-edition' }
  | { type: 'reminder'; deadlineId: string; offset: string; version: number }
  /** An edition's scheduled send; `at` tells a fire of a moved or cancelled schedule apart (ignored). */
  | { type: 'send-edition'; number: number; at: string }
  /** The secretariat's daily digest (recurring; locally the embedded scheduler, on AWS the dispatch function). */
  | { type: 'inbound-digest' }
  /** Failed member notices whose retry is due (recurring, like the digest). */
  | { type: 'notice-retries' };

export interface OneTimeSchedule {
  /** Unique, stable name (at most 64 chars, [0-9a-zA-Z-_.]). */
  name: string;
  at: Date;
  job: ScheduledJob;
}

/** One-time schedules: created, moved and deleted as deadlines change; they delete themselves after firing. */
export interface Scheduler {
  upsert(schedule: OneTimeSchedule): Promise<void>;
  /** Deleting a schedule that does not exist is not an error (idempotent). */
  delete(name: string): Promise<void>;
}
