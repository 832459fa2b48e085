import type {
  Subscriber,
  SubscriberEvent,
  SubscriptionStatus,
  Suppression,
  SuppressionReason,
} from '../domain/index.ts';

export interface SubscriberPage {
  items: Subscriber[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** Subscriber records (DynamoDB adapter: src/adapters/dynamodb/subscriber-repo.ts). */
export interface SubscriberRepo {
  get(subscriberId: string): Promise<Subscriber | undefined>;
  getMany(subscriberIds: string[]): Promise<Subscriber[]>;
  /** Pages of subscribers in one status, in address order. */
  listByStatus(status: SubscriptionStatus): AsyncIterable<Subscriber[]>;
  /** Create if absent; returns false when a record already existed (no overwrite). */
  create(s: Subscriber): Promise<boolean>;
  /**
   * Overwrite. Optimistic: fails with ConflictError when the stored version is no longer `s.version`
   * (someone else wrote in between); the stored copy gets version + 1.
   */
  save(s: Subscriber): Promise<void>;
  /** Removes the subscriber and everything stored under it (its event history). */
  delete(subscriberId: string): Promise<void>;
  /** One page for admin listings. */
  page(status: SubscriptionStatus, opts?: { limit?: number; cursor?: string }): Promise<SubscriberPage>;
  /** Atomically counts one soft bounce; returns the new count (undefined: no such subscriber). */
  addSoftBounce(subscriberId: string): Promise<number | undefined>;
  /** A delivery proves the mailbox works again: consecutive soft bounces start from zero. */
  resetSoftBounces(subscriberId: string): Promise<void>;
  addEvent(subscriberId: string, event: SubscriberEvent): Promise<void>;
  /** Oldest first. */
  listEvents(subscriberId: string): Promise<SubscriberEvent[]>;
}

/** Account-level suppression list, keyed by address hash; checked before every send. */
export interface SuppressionRepo {
  isSuppressed(email: string): Promise<boolean>;
  get(email: string): Promise<Suppression | undefined>;
  /** Idempotent: an address already suppressed keeps its first reason and date. */
  suppress(email: string, reason: SuppressionReason, at: Date, detail?: string): Promise<void>;
  remove(email: string): Promise<void>;
  list(): Promise<Suppression[]>;
  getByHash(emailHash: string): Promise<Suppression | undefined>;
  removeByHash(emailHash: string): Promise<void>;
  /** Erasure: keep the entry (so the address is never mailed again) but drop the address and detail. */
  anonymise(email: string, at: Date): Promise<void>;
}

/** Remembers which external events (SNS messages) were already processed: at-least-once → once. */
export interface EventLedger {
  /** true the first time a key is seen; false for a redelivery. */
  claim(key: string, ttlDays: number): Promise<boolean>;
  /** Undo a claim whose processing failed, so the redelivery is processed. */
  release(key: string): Promise<void>;
}
