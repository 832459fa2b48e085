import { createHash, randomBytes } from 'node:crypto';

/** Time-ordered, URL-safe id: sorts by creation time, 16 random bits per ms are plenty here. */
export function newId(prefix: string, now: Date = new Date()): string {
  const time = now.getTime().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(6).toString('base64url')}`;
}

/** Deterministic id from some natural key (idempotency: same input, same id). */
export function stableId(prefix: string, naturalKey: string): string {
  return `${prefix}_${createHash('sha256').update(naturalKey).digest('base64url').slice(0, 22)}`;
}

/** Hash of a normalised address, for suppression entries that must outlive erasure. */
export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** Subscriber id derived from the address so a re-subscribe finds the same record. */
export function subscriberIdFor(email: string): string {
  return `s_${emailHash(email).slice(0, 24)}`;
}
