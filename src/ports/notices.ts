/**
 * Member notices whose send failed and will be tried again (issue 15), or were given up: the notice's
 * own ledger key stays the once-only guard, this only remembers what is still owed to a member.
 */
export type NoticeEventName = 'approved' | 'rejected' | 'published';

export interface PendingNotice {
  /** The notice's ledger key: notice:<updateId>:<event>:<occurrence>. */
  key: string;
  event: NoticeEventName;
  updateId: string;
  /** The update's version for a decision, the edition number for a publication. */
  occurrence: string;
  /** The archive page (published). */
  url?: string;
  /** Who it was for and about, for the digest's line (the retry re-reads the update). */
  to: string;
  title: string;
  /** Sends tried so far. */
  attempts: number;
  status: 'pending' | 'given-up';
  /** ISO time of the next try (pending). */
  nextAttemptAt: string;
  lastError: string;
  createdAt: string;
  updatedAt: string;
}

export interface NoticeOutbox {
  get(key: string): Promise<PendingNotice | undefined>;
  /**
   * Writes the notice's new state if nobody else changed it since it had `previousAttempts` attempts
   * (0: it must not exist yet). false when another attempt got there first.
   */
  save(notice: PendingNotice, previousAttempts: number): Promise<boolean>;
  /** Pending notices due at `now` (nextAttemptAt ≤ now), soonest first. */
  due(now: Date, limit: number): Promise<PendingNotice[]>;
  /** Notices given up at or after `since`, oldest first. */
  givenUpSince(since: Date): Promise<PendingNotice[]>;
  /** Forget a notice (sent, or no longer owed). */
  remove(key: string): Promise<void>;
}
