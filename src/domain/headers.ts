/** SES takes header values of printable ASCII, at most 870 characters (MessageHeader.Value). */
export const MAX_HEADER_VALUE = 870;

/**
 * A display phrase as SES accepts it: plain if printable ASCII, else RFC 2047 encoded words (a Chinese
 * newsletter or sender name), each within the 75-character limit and never splitting a character.
 */
export function encodedPhrase(s: string): string {
  if (/^[ -~]*$/.test(s)) return quotedPhrase(s);
  const words: string[] = [];
  let chunk = '';
  for (const ch of s) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}

/** RFC 5322 "specials": a phrase holding one must be a quoted-string, or "IGPN, Secretariat" is two mailboxes. */
const SPECIALS = /[()<>[\]:;@\\,."]/;

/** An ASCII phrase as it may stand in a header: atoms as they are, else one quoted-string (RFC 5322 3.2.4). */
export function quotedPhrase(s: string): string {
  if (!SPECIALS.test(s)) return s;
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * "Name <address>" with the name as SES wants it: a non-ASCII display name must be RFC 2047-encoded
 * (SES refuses it raw), an ASCII one with a comma or another special quoted. A bare address is returned as it is.
 */
export function encodedMailbox(mailbox: string): string {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*<([^<>]+)>\s*$/.exec(mailbox);
  const m = quoted ?? /^\s*([^<]*?)\s*<([^<>]+)>\s*$/.exec(mailbox);
  if (!m || (quoted && /^[ -~]*$/.test(m[1] ?? ''))) return mailbox;
  const name = quoted ? (m[1] ?? '').replace(/\\(.)/g, '$1') : (m[1] ?? '');
  if (!name.trim()) return `<${m[2]}>`;
  return `${encodedPhrase(name.trim())} <${m[2]}>`;
}
