import type { Config } from '../../config/config.ts';
import { encodedPhrase, MAX_HEADER_VALUE } from '../../domain/headers.ts';
import { signToken } from '../../domain/tokens.ts';
import type { RecipientLinks } from '../../ports/campaign-source.ts';

const DAY = 86_400;

/**
 * Every link Gazette puts in a mail that acts on a subscriber. Tokens are HMAC-signed (see domain/tokens.ts).
 * Unsubscribe tokens live long (a year): a newsletter read late must still unsubscribe in one click.
 */
export function makeLinks(deps: {
  config: Pick<Config, 'GAZETTE_PUBLIC_URL' | 'GAZETTE_UNSUBSCRIBE_MAILTO' | 'GAZETTE_NEWSLETTER_NAME'> &
    Partial<Pick<Config, 'GAZETTE_FROM'>>;
  secret: string;
  now: () => Date;
}) {
  const base = deps.config.GAZETTE_PUBLIC_URL.replace(/\/$/, '');
  const exp = (days: number) => Math.floor(deps.now().getTime() / 1000) + days * DAY;
  const unsubscribeToken = (subscriberId: string, scope: string) =>
    signToken(deps.secret, 'unsubscribe', { sub: subscriberId, exp: exp(365), scope });
  const listId = `<${slug(deps.config.GAZETTE_NEWSLETTER_NAME)}.${listDomain(deps.config)}>`;
  const listName = encodedPhrase(deps.config.GAZETTE_NEWSLETTER_NAME.replace(/[<>"\r\n]/g, '').trim());

  return {
    confirmUrl(subscriberId: string): string {
      const t = signToken(deps.secret, 'confirm', { sub: subscriberId, exp: exp(7) });
      return `${base}/v1/confirm?token=${t}`;
    },
    /** Short-lived: it is mailed only when someone asks to erase, and the mailbox must act on it soon. */
    eraseUrl(subscriberId: string): string {
      const t = signToken(deps.secret, 'erase', { sub: subscriberId, exp: exp(1) });
      return `${base}/v1/erase?token=${t}`;
    },
    preferencesUrl(subscriberId: string): string {
      const t = signToken(deps.secret, 'preferences', { sub: subscriberId, exp: exp(365) });
      return `${base}/v1/preferences?token=${t}`;
    },
    unsubscribeUrl(subscriberId: string, scope = 'all'): string {
      return `${base}/v1/unsubscribe?token=${unsubscribeToken(subscriberId, scope)}`;
    },
    /**
     * RFC 8058 one-click + RFC 2369 mailto, for every bulk mail. Both carry the same signed token: mail to the
     * mailto unsubscribes the subscriber the token names (and only its scope), whatever address the reply
     * comes from (plus addresses, forwarding aliases); see makeUnsubscribeByMail.
     */
    recipientLinks(subscriberId: string, scope = 'all'): RecipientLinks {
      const token = unsubscribeToken(subscriberId, scope);
      const unsubscribeUrl = `${base}/v1/unsubscribe?token=${token}`;
      const mailto = `mailto:${deps.config.GAZETTE_UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20${token}`;
      const both = `<${unsubscribeUrl}>, <${mailto}>`;
      return {
        unsubscribeUrl,
        preferencesUrl: this.preferencesUrl(subscriberId),
        listHeaders: {
          // SES refuses a longer header value (and then every recipient would fail): a long public URL costs
          // the mailto, never the one-click link RFC 8058 and the big mailbox providers require.
          'List-Unsubscribe': both.length <= MAX_HEADER_VALUE ? both : `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': listName ? `${listName} ${listId}` : listId,
        },
      };
    },
  };
}
export type Links = ReturnType<typeof makeLinks>;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'gazette';

/**
 * The domain of a List-Id (RFC 2919: a domain the list owner controls): the sending domain (GAZETTE_FROM's),
 * which SES has verified; never the public URL's host when that is an IP address (the embedded runtime's
 * 127.0.0.1, or an AWS endpoint), which filters would see as a different, unowned list on every machine.
 */
export function listDomain(config: {
  GAZETTE_PUBLIC_URL: string;
  GAZETTE_UNSUBSCRIBE_MAILTO: string;
  GAZETTE_FROM?: string;
}) {
  const domainOf = (address: string | undefined) =>
    /@([^@<>\s]+?)>?\s*$/.exec(address ?? '')?.[1]?.toLowerCase();
  const host = new URL(config.GAZETTE_PUBLIC_URL).hostname;
  const isIp = /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  return domainOf(config.GAZETTE_FROM) ?? (isIp ? domainOf(config.GAZETTE_UNSUBSCRIBE_MAILTO) : host) ?? host;
}
