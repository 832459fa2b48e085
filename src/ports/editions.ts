import type { CompileAttempt, Edition, EditionStatus, Update } from '../domain/index.ts';

/**
 * The narrow view of moderated updates the edition compiler needs. The inbound area owns updates and
 * supplies the real implementation; src/adapters/dynamodb/edition-repo.ts has a table-backed one.
 */
export interface ApprovedUpdates {
  /** Approved (not yet published) updates received in [start, end). */
  listApprovedInWindow(start: Date, end: Date): Promise<Update[]>;
  /** After an edition was sent: status → published, editionNumber set. Idempotent. */
  markPublished(updateIds: string[], editionNumber: number, at: Date): Promise<void>;
}

/** State of the edition number counter: the last number handed out and the draft being worked on. */
export interface EditionCounter {
  value?: number;
  draft?: number;
  lastCompile?: CompileAttempt;
}

/** Editions in the table (DynamoDB adapter: src/adapters/dynamodb/edition-repo.ts). */
export interface EditionRepo {
  get(number: number): Promise<Edition | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<Edition[]>;
  counter(): Promise<EditionCounter>;
  /**
   * Hand out `next` as the new draft number, only if the counter still holds `current` and no draft is
   * open (conditional write). false: somebody else won; re-read and retry.
   */
  claimDraftNumber(current: number | undefined, next: number): Promise<boolean>;
  /** Forget the open draft marker if it still points at `number`. */
  clearDraftMarker(number: number): Promise<void>;
  recordCompile(attempt: CompileAttempt): Promise<void>;
  /**
   * Write the edition. `expect`: the status the stored record must have (conditional write);
   * 'absent' = must not exist yet; `revision`: and it must still be this compile revision;
   * `unclaimedSince`: and no fire has claimed its schedule since that instant (see claimSchedule).
   * A lost condition throws ConflictError.
   */
  save(
    edition: Edition,
    expect: EditionStatus[] | 'absent',
    opts?: { revision?: string; unclaimedSince?: string },
  ): Promise<void>;
  /**
   * A fire takes the approved edition's schedule for `at` (true), unless it was moved or removed meanwhile
   * (false). Only `schedule.claimedAt` is written: nothing else of the edition can be overwritten.
   */
  claimSchedule(number: number, at: string, claimedAt: string): Promise<boolean>;
}
