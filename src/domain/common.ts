import { domainToASCII } from 'node:url';
import * as z from 'zod';

/**
 * Trimmed and lower-cased, with an internationalised domain in its ASCII form (bücher.de → xn--bcher-kva.de,
 * 例子.中国 → xn--fsqu00a.xn--fiqs8s): the form DNS, SES and DKIM use, so one mailbox has one key.
 */
export function normaliseAddress(raw: string): string {
  const s = raw.trim().toLowerCase();
  const at = s.lastIndexOf('@');
  const domain = s.slice(at + 1);
  if (at < 1 || /^[\x21-\x7e]*$/.test(domain)) return s;
  const ascii = domainToASCII(domain);
  return ascii ? `${s.slice(0, at)}@${ascii}` : s;
}

/** zod's default e-mail pattern, but a top-level domain may be an A-label (.xn--fiqs8s is .中国). */
const EMAIL_PATTERN =
  /^(?!\.)(?!.*\.\.)([a-z0-9_'+\-.]*)[a-z0-9_+-]@([a-z0-9][a-z0-9-]*\.)+([a-z]{2,}|xn--[a-z0-9-]{2,})$/;

/** A normalised e-mail address (see normaliseAddress). Everything keyed by address uses this form. */
export const Email = z
  .string()
  .max(1000)
  .transform(normaliseAddress)
  .pipe(z.email({ pattern: EMAIL_PATTERN, message: 'must be a valid e-mail address' }).max(254));
export type Email = z.infer<typeof Email>;

/** ISO-8601 instant with offset, e.g. 2026-03-30T15:59:59.000Z. */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/**
 * Zones ICU accepted in this runtime: a DateTimeFormat costs ~0.15 ms, and every subscriber a send reads is
 * parsed (twice per recipient), which made the check ~10% of a send worker's CPU (bench/send.ts, scale).
 */
const knownZones = new Set<string>();

/** IANA time zone name, checked against the runtime's ICU data. */
export const TimeZone = z.string().refine(
  (tz) => {
    if (knownZones.has(tz)) return true;
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      return false;
    }
    if (knownZones.size < 1000) knownZones.add(tz);
    return true;
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);
export type TimeZone = z.infer<typeof TimeZone>;

/** BCP-47 language tag, kept simple: en, zh, zh-Hans, ja, ko, de … */
export const Language = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or zh-Hans');
export type Language = z.infer<typeof Language>;

/** Who did something: "cli:alice", "api:arn:aws:iam::…", "system:scheduler". */
export const Actor = z.string().min(1).max(200);
export type Actor = z.infer<typeof Actor>;

export const Audience = z.enum(['newsletter', 'reminders', 'member-announcements']);
export type Audience = z.infer<typeof Audience>;
