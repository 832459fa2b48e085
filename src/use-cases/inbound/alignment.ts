/**
 * DMARC identifier alignment (RFC 7489 §3.1, relaxed mode) for the ingest decision. An SPF or DKIM
 * PASS only proves *some* domain: the envelope sender's (SPF) or the signer's `d=` (DKIM). It speaks
 * for the From: address only when that domain has the same organizational domain as the From: domain.
 *
 * The organizational domain is approximated without the Public Suffix List (no dependency, no list to
 * keep fresh): the last two labels, or the last three when the second-level label is a well-known
 * registry level under a two-letter country code (`gpn.org.cn`, `env.go.jp`, `x.co.uk`, `kfem.or.kr`)
 * or a Japanese prefecture (`pref.shiga.jp`). Every doubt (unparsable domain, a domain that is itself a
 * suffix such as `org.cn`) resolves to "not aligned". Known looseness: suffixes the lists do not know
 * (city levels such as `kusatsu.shiga.jp`, private suffixes such as `github.io`) make two registrants
 * under them look like one organisation. Over-counting a suffix only ever makes alignment stricter.
 */
import { domainToASCII } from 'node:url';
import type { Verdicts } from '../../domain/index.ts';

/** Second-level labels that registries under two-letter ccTLDs hand out as suffixes (co.uk, org.cn, go.jp …). */
const REGISTRY_SECOND_LEVELS = new Set([
  'ac',
  'ad',
  'asso',
  'co',
  'com',
  'ed',
  'edu',
  'go',
  'gob',
  'gouv',
  'gov',
  'govt',
  'gr',
  'lg',
  'ltd',
  'mil',
  'ne',
  'net',
  'nhs',
  'nic',
  'nom',
  'or',
  'org',
  'pe',
  'plc',
  're',
  'res',
  'sch',
]);

/** Japanese geographic-type suffixes (`<prefecture>.jp`), where prefectures and cities register. */
const JP_PREFECTURES = new Set(
  (
    'aichi akita aomori chiba ehime fukui fukuoka fukushima gifu gunma hiroshima hokkaido hyogo ibaraki ' +
    'ishikawa iwate kagawa kagoshima kanagawa kochi kumamoto kyoto mie miyagi miyazaki nagano nagasaki ' +
    'nara niigata oita okayama okinawa osaka saga saitama shiga shimane shizuoka tochigi tokushima tokyo ' +
    'tottori toyama wakayama yamagata yamaguchi yamanashi'
  ).split(' '),
);

const LABEL = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;

/** Lower-case A-label form of a domain, or undefined when it is not a plausible host name. */
export function normalizeDomain(domain: string | undefined): string | undefined {
  const raw = (domain ?? '').trim().replace(/\.$/, '');
  // Letters, digits, marks, dots, hyphens only: domainToASCII would otherwise read "x.example/evil" as a URL host.
  if (!raw || raw.length > 253 || !/^[\p{L}\p{N}\p{M}.-]+$/u.test(raw)) return undefined;
  const ascii = domainToASCII(raw);
  if (!ascii) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // A numeric "TLD" is an IP address literal, never a domain that can be aligned.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return undefined;
  return ascii;
}

/** The registrable ("organizational") domain, or undefined when there is none (see the module comment). */
export function organizationalDomain(domain: string | undefined): string | undefined {
  const d = normalizeDomain(domain);
  if (!d) return undefined;
  const labels = d.split('.');
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const suffixLabels =
    (tld.length === 2 && REGISTRY_SECOND_LEVELS.has(second)) || (tld === 'jp' && JP_PREFECTURES.has(second))
      ? 2
      : 1;
  if (labels.length <= suffixLabels) return undefined;
  return labels.slice(-(suffixLabels + 1)).join('.');
}

/** Relaxed alignment: both domains valid and under the same organizational domain. */
export function aligned(a: string | undefined, b: string | undefined): boolean {
  const oa = organizationalDomain(a);
  return oa !== undefined && oa === organizationalDomain(b);
}

/** The domain part of an address (`<x@y>` or `x@y`), normalized; undefined for `<>` or garbage. */
export function domainOfAddress(address: string | undefined): string | undefined {
  const a = (address ?? '').trim().replace(/^<|>$/g, '');
  const at = a.lastIndexOf('@');
  return at > 0 ? normalizeDomain(a.slice(at + 1)) : undefined;
}

/**
 * The `d=` domain of each DKIM-Signature header value (RFC 6376 §3.2 tag list; the header is already
 * unfolded, and a domain has no inner whitespace). A signature with no or a duplicated `d=` tag is invalid and contributes nothing.
 */
export function dkimDomains(signatures: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  for (const sig of signatures ?? []) {
    const ds = sig
      .split(';')
      .map((t) => t.split('='))
      .filter(([name]) => name?.trim() === 'd')
      .map(([, ...value]) => value.join('=').trim());
    const d = ds.length === 1 ? normalizeDomain(ds[0]) : undefined;
    if (d) out.add(d);
  }
  return [...out];
}

/** What SPF and DKIM checked, besides their verdicts. */
export interface SenderIdentities {
  /** The From: address: the identity a member is recognised by. */
  from: string | undefined;
  /** The envelope sender (SMTP MAIL FROM, SES `mail.source`): the identity SPF authenticated. */
  mailFrom: string | undefined;
  /** Raw DKIM-Signature header values, top to bottom. */
  dkimSignatures: readonly string[] | undefined;
}

/**
 * Why the SPF/DKIM passes do not vouch for the From: domain, or undefined when one of them is aligned
 * (or DMARC passed, which already means an aligned pass). Call only after the verdicts were found to
 * contain a PASS and no FAIL.
 */
export function alignmentProblem(v: Verdicts, ids: SenderIdentities): string | undefined {
  if (v.dmarc === 'PASS') return undefined;
  const fromDomain = domainOfAddress(ids.from);
  if (!fromDomain || !organizationalDomain(fromDomain))
    return `sender could not be verified: the From: domain ${fromDomain ?? '(unreadable)'} cannot be aligned with SPF or DKIM`;
  const unaligned: string[] = [];
  if (v.spf === 'PASS') {
    const envelope = domainOfAddress(ids.mailFrom);
    if (aligned(envelope, fromDomain)) return undefined;
    unaligned.push(
      envelope ? `SPF passed for ${envelope}` : 'SPF passed for an empty or unreadable envelope sender',
    );
  }
  if (v.dkim === 'PASS') {
    const signers = dkimDomains(ids.dkimSignatures);
    if (signers.some((d) => aligned(d, fromDomain))) return undefined;
    unaligned.push(
      signers.length
        ? `DKIM passed for ${list(signers)}`
        : 'DKIM passed, but no DKIM-Signature names a readable d= domain',
    );
  }
  return `sender could not be verified: ${unaligned.join(' and ')}, not aligned with ${fromDomain} (DMARC=${v.dmarc})`;
}

const list = (xs: string[]) =>
  xs.length > 5 ? `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more` : xs.join(', ');
