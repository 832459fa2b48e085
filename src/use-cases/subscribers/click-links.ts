/**
 * The link of an SES Click event, made into a per-campaign counter key: the same for every reader, and never
 * carrying a token or an address. Pure; unit-tested in test/unit/subscribers/click-links.test.ts.
 */

/** The bucket of every click whose link is not counted on its own (unparseable, too long, over the cap). */
export const OTHER_LINK = 'other';

/** Distinct links counted per campaign; the clicks of any further link go to OTHER_LINK. */
export const MAX_LINKS_PER_CAMPAIGN = 200;

/** Longer keys are not stored (a DynamoDB sort key holds at most 1024 bytes; no real edition link is this long). */
const MAX_LINK_LENGTH = 800;

/** Gazette's own per-reader pages: their whole query is the reader's token. */
const OWN_PAGES = /\/v1\/(?:unsubscribe|preferences|confirm|erase)\/?$/;

/** Parameter names that carry who the reader is or what lets them act (`token`, `sig`, `email`, `mc_eid` …). */
const SECRET_PARAM =
  /^(?:.*[_-])?(?:token|tok|sig|signature|hmac|auth|key|apikey|code|otp|session|sessionid|sid|jwt|email|mail|eid|subscriber|subscriberid|sub|uid|userid|user|recipient)$/i;

/**
 * A Gazette token or JWT (base64url JSON starts "eyJ"), a UUID, or a long run of base64/hex characters mixing
 * letters and digits (a hash, a signature, an id). Slugs ("green-procurement-2026") are short runs and stay.
 */
function looksLikeToken(s: string): boolean {
  if (/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+/.test(s)) return true;
  if (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(s)) return true;
  return (s.match(/[A-Za-z0-9+/=_]{24,}/g) ?? []).some((run) => /\d/.test(run) && /[A-Za-z]/.test(run));
}

/**
 * http(s) links only, without credentials or fragment; Gazette's own unsubscribe/preferences/confirm/erase
 * links lose their query; any other query parameter named like a secret, or whose value looks like a token
 * or holds an address, is dropped; a path segment that looks like a token becomes ":token".
 */
export function normaliseClickLink(raw: string | undefined): string {
  if (!raw) return OTHER_LINK;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return OTHER_LINK;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return OTHER_LINK;
  url.username = '';
  url.password = '';
  url.hash = '';
  url.pathname = url.pathname
    .split('/')
    .map((s) => (looksLikeToken(s) ? ':token' : s))
    .join('/');
  if (OWN_PAGES.test(url.pathname)) url.search = '';
  const params = [...url.searchParams];
  const kept = params.filter(
    ([name, value]) => !SECRET_PARAM.test(name) && !looksLikeToken(value) && !value.includes('@'),
  );
  if (kept.length !== params.length) url.search = new URLSearchParams(kept).toString();
  if (url.href.length > MAX_LINK_LENGTH) url.search = '';
  return url.href.length > MAX_LINK_LENGTH ? OTHER_LINK : url.href;
}
