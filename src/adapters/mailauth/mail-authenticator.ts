/**
 * SPF, DKIM and DMARC for mail the embedded runtime receives over SMTP, checked with `mailauth` the way SES
 * checks them on AWS, and reported in SES's verdict words so both runtimes share one ingest decision.
 * The DNS resolver is injectable: tests hand it a fake zone with a test DKIM key. Without DNS (no network)
 * every lookup fails and the verdicts come out GRAY (none) or PROCESSING_FAILED (temperror), never PASS.
 */
import { Resolver } from 'node:dns/promises';
import { type AuthStatus, authenticate } from 'mailauth';
import type { VerdictStatus, Verdicts } from '../../domain/update.ts';

/** mailauth's resolver: `dns.promises.resolve`'s shape (TXT answers are arrays of strings). */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export type AuthVerdicts = Pick<Verdicts, 'spf' | 'dkim' | 'dmarc'>;

export interface SmtpSession {
  /** The connecting client's address: the identity SPF checks. */
  clientIp: string;
  /** EHLO/HELO name. */
  helo?: string;
  /** SMTP MAIL FROM (empty for bounces). */
  mailFrom: string;
}

export interface MailAuthenticator {
  verify(raw: Buffer, session: SmtpSession): Promise<AuthVerdicts>;
}

export function createMailAuthenticator(
  o: {
    resolver?: DnsResolver;
    /** Our own host name, as written in Authentication-Results. */
    mta?: string;
    /** Upper bound on the whole check; a slow DNS must not hold the SMTP transaction open. */
    timeoutMs?: number;
  } = {},
): MailAuthenticator {
  const resolver = o.resolver ?? systemResolver();
  const timeoutMs = o.timeoutMs ?? 15_000;
  return {
    async verify(raw, session) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      try {
        const result = await Promise.race([
          authenticate(raw, {
            ip: normaliseIp(session.clientIp),
            helo: session.helo,
            sender: session.mailFrom,
            mta: o.mta ?? 'gazette.local',
            resolver,
            // ARC would let an intermediary vouch for DMARC, BIMI is for display: neither is ours to trust.
            disableArc: true,
            disableBimi: true,
          }),
          timeout,
        ]);
        if (!result)
          return { spf: 'PROCESSING_FAILED', dkim: 'PROCESSING_FAILED', dmarc: 'PROCESSING_FAILED' };
        return {
          spf: verdict(result.spf ? result.spf.status.result : undefined),
          dkim: dkimVerdict(result.dkim.results.map((r) => r.status.result)),
          dmarc: verdict(result.dmarc ? result.dmarc.status.result : undefined),
        };
      } catch {
        // A message mailauth cannot read at all is not authenticated.
        return { spf: 'PROCESSING_FAILED', dkim: 'PROCESSING_FAILED', dmarc: 'PROCESSING_FAILED' };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

type Result = AuthStatus['result'];

/** mailauth (RFC 8601 result words) → SES verdicts: only a real pass is PASS. */
export function verdict(r: Result | undefined): VerdictStatus {
  switch (r) {
    case 'pass':
      return 'PASS';
    case 'fail':
      return 'FAIL';
    case 'temperror':
    case 'temperr':
    case 'permerror':
      return 'PROCESSING_FAILED';
    default:
      // none, neutral, softfail, policy, skipped, or no result: not authenticated, not proven forged.
      return 'GRAY';
  }
}

/** One DKIM verdict for all signatures, as SES gives: any valid signature passes, else the worst. */
export function dkimVerdict(results: Result[]): VerdictStatus {
  const v = results.map(verdict);
  if (v.includes('PASS')) return 'PASS';
  if (v.includes('FAIL')) return 'FAIL';
  if (v.includes('PROCESSING_FAILED')) return 'PROCESSING_FAILED';
  return 'GRAY';
}

function normaliseIp(ip: string): string {
  return ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function systemResolver(): DnsResolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  return (name, rrtype) => r.resolve(name, rrtype) as Promise<string[][] | string[]>;
}
