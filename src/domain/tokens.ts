import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ExpiredTokenError, InvalidTokenError } from './errors.ts';

/**
 * Signed tokens for links in mails: confirm (double opt-in), unsubscribe, preferences, erase (confirms a
 * self-service erasure from the mailbox itself).
 * Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, purpose "." payload)).
 * They carry the subscriber id, never the address.
 */
export const TokenPurpose = z.enum(['confirm', 'unsubscribe', 'preferences', 'erase']);
export type TokenPurpose = z.infer<typeof TokenPurpose>;

const Payload = z.object({
  sub: z.string().min(1),
  /** expiry, epoch seconds */
  exp: z.number().int(),
  /** optional scope, e.g. the list an unsubscribe applies to ("newsletter", "reminders", "all") */
  scope: z.string().optional(),
});
export type TokenPayload = z.infer<typeof Payload>;

const mac = (secret: string, purpose: TokenPurpose, body: string) =>
  createHmac('sha256', secret).update(`${purpose}.${body}`).digest();

export function signToken(secret: string, purpose: TokenPurpose, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(Payload.parse(payload))).toString('base64url');
  return `${body}.${mac(secret, purpose, body).toString('base64url')}`;
}

export function verifyToken(secret: string, purpose: TokenPurpose, token: string, now: Date): TokenPayload {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) throw new InvalidTokenError('malformed token');
  // Compare the canonical encoding, not decoded bytes: base64url decoding ignores stray characters and the
  // spare low bits of the last one, so a decoded comparison would accept altered tokens.
  const expected = Buffer.from(mac(secret, purpose, body).toString('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError('token signature does not match');
  }
  let parsed: TokenPayload;
  try {
    parsed = Payload.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidTokenError('malformed token payload');
  }
  if (parsed.exp * 1000 < now.getTime()) throw new ExpiredTokenError('token has expired');
  return parsed;
}

/** A token's body is base64url JSON of an object, so it starts with "eyJ" ('{"'); its signature is 43 characters. */
const TOKEN_IN_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/**
 * Candidate tokens in free text, e.g. the subject of a mail sent to the List-Unsubscribe mailto, which
 * clients prefix ("Re:", "AW:"), quote or re-encode. A client that split the subject into RFC 2047 encoded
 * words may leave whitespace inside the token, so the text with its whitespace removed is searched too.
 * Candidates only: each must still pass verifyToken. At most `max`, in order of appearance.
 */
export function tokensIn(text: string, max = 4): string[] {
  const bounded = text.slice(0, 2000);
  const found = new Set<string>();
  for (const t of [bounded, bounded.replace(/\s+/g, '')])
    for (const m of t.matchAll(TOKEN_IN_TEXT)) {
      if (found.size >= max) return [...found];
      found.add(m[0]);
    }
  return [...found];
}
