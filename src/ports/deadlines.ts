import type { Deadline, Reminder } from '../domain/index.ts';

export type DeadlineStatus = Deadline['status'];
export type ReminderStatus = Reminder['status'];

/** Deadlines/events and their reminders (DynamoDB adapter: src/adapters/dynamodb/deadline-repo.ts). */
export interface DeadlineRepo {
  /** Create; false when the id already exists (no overwrite). */
  create(d: Deadline): Promise<boolean>;
  get(deadlineId: string): Promise<Deadline | undefined>;
  /** Replace only if the stored version is `expectedVersion`; false when someone else changed it first. */
  replace(d: Deadline, expectedVersion: number): Promise<boolean>;
  /** By status in due order; `dueFrom` keeps only items due at or after it. */
  list(opts: { status: DeadlineStatus; dueFrom?: Date; limit?: number }): Promise<Deadline[]>;
  reminders(deadlineId: string): Promise<Reminder[]>;
  getReminder(deadlineId: string, offset: string): Promise<Reminder | undefined>;
  /**
   * Write a reminder unless its stored status is one of `unlessStatus` (e.g. never overwrite a reminder
   * already sent). Returns false when the condition stopped the write.
   */
  saveReminder(r: Reminder, unlessStatus?: ReminderStatus[]): Promise<boolean>;
}

/** What the reminders area needs to know about a member (the members registry owns the record). */
export interface MemberLookup {
  get(memberId: string): Promise<{ type: string; status: string } | undefined>;
}
