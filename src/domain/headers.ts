/** SES takes header values of printable ASCII, at most 870 characters (MessageHeader.Value). */
export const MAX_HEADER_VALUE = 870;

/**
 * A display phrase as SES accepts it: plain if printable ASCII, else RFC 2047 encoded words (a Chinese
 * newsletter or sender name), each within the 75-character limit and never splitting a character.
 */
export function encodedPhrase(s: string): string {
  if (/^[ -~]*$/.test(s)) return s;
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

/**
 * "Name <address>" with the name as SES wants it: a non-ASCII display name must be RFC 2047-encoded
 * (SES refuses it raw). A bare address, or an ASCII name, is returned as it is.
 */
export function encodedMailbox(mailbox: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/.exec(mailbox);
  if (!m || /^[ -~]*$/.test(m[1] ?? '')) return mailbox;
  return `${encodedPhrase((m[1] ?? '').trim())} <${m[2]}>`;
}
