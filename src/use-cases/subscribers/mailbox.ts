import { emailHash } from '../../domain/ids.ts';
import type { SubscribersDeps } from './deps.ts';

/** Providers that deliver `j.a.n.e@` and `jane@` to one mailbox (and `googlemail.com` is `gmail.com`). */
const DOTLESS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The mailbox an address reaches, for throttling only (never for sending): case folded, sub-address
 * (`+tag`) dropped, dots dropped where the provider ignores them. `Jane.Doe+x@GoogleMail.com` and
 * `janedoe@gmail.com` are one mailbox, so a mail bomb cannot multiply itself with variants.
 */
export function mailboxOf(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 1) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS[domain];
  if (dotless) {
    domain = dotless;
    local = local.replaceAll('.', '');
  }
  return `${local}@${domain}`;
}

const DAY_SECONDS = 86_400;

/**
 * Opt-in and self-service mails per mailbox per UTC day, counted in the table so every Lambda container
 * shares one count. The key is a hash: the table holds no address for this.
 */
export async function mayMailMailbox(
  deps: Pick<SubscribersDeps, 'rateWindows' | 'clock' | 'config' | 'logger'>,
  email: string,
): Promise<boolean> {
  const day = deps.clock.now().toISOString().slice(0, 10);
  const ok = await deps.rateWindows.take(
    `optin:${emailHash(mailboxOf(email)).slice(0, 32)}`,
    day,
    deps.config.GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY,
    2 * DAY_SECONDS,
  );
  if (!ok) deps.logger.info('daily opt-in mail limit of this mailbox reached: no mail');
  return ok;
}

/**
 * An address as a page opened from a link may show it: a forwarded mail's links must not reveal the
 * subscriber's address in full. `jane.doe@example.org` → `j•••@example.org`.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${[...email.slice(0, at)][0]}•••${email.slice(at)}`;
}
