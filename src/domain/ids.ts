import { createHash, createHmac, randomBytes } from 'node:crypto';

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

/**
 * Subscriber id keyed by the token secret (HMAC of the normalised address), so a re-subscribe finds the same
 * record while nobody without the secret can compute the id of an address (and so forge its links from a
 * guessed id). A plain hash of the address was guessable by anyone who knew the address.
 */
export function subscriberIdFor(email: string, key: string): string {
  if (key.length < 32) throw new Error('subscriberIdFor: the key must be the token secret (32+ characters)');
  const mac = createHmac('sha256', key).update(`subscriber-id\0${email.trim().toLowerCase()}`).digest('hex');
  return `s_${mac.slice(0, 32)}`;
}
