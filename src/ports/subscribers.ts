import type { Subscriber, SubscriptionStatus, Suppression, SuppressionReason } from '../domain/index.ts';

/** Subscriber records (DynamoDB adapter: src/adapters/dynamodb/subscriber-repo.ts). */
export interface SubscriberRepo {
  get(subscriberId: string): Promise<Subscriber | undefined>;
  getMany(subscriberIds: string[]): Promise<Subscriber[]>;
  /** Pages of subscribers in one status, in address order. */
  listByStatus(status: SubscriptionStatus): AsyncIterable<Subscriber[]>;
  /** Create if absent; returns false when a record already existed (no overwrite). */
  create(s: Subscriber): Promise<boolean>;
  save(s: Subscriber): Promise<void>;
  delete(subscriberId: string): Promise<void>;
}

/** Account-level suppression list, keyed by address hash; checked before every send. */
export interface SuppressionRepo {
  isSuppressed(email: string): Promise<boolean>;
  get(email: string): Promise<Suppression | undefined>;
  suppress(email: string, reason: SuppressionReason, at: Date, detail?: string): Promise<void>;
  remove(email: string): Promise<void>;
  list(): Promise<Suppression[]>;
}
