import * as z from 'zod';

/** Lower-cased, trimmed e-mail address. Everything keyed by address uses this form. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid e-mail address' }));
export type Email = z.infer<typeof Email>;

/** ISO-8601 instant with offset, e.g. 2026-03-30T15:59:59.000Z. */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/** IANA time zone name, checked against the runtime's ICU data. */
export const TimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
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
