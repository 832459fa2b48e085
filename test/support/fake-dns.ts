/**
 * A DNS zone in memory for mailauth (SPF/DKIM/DMARC of mail received over SMTP): TXT records only, as
 * `dns.promises.resolve` answers them (each record an array of strings). Anything else is NXDOMAIN, which is
 * what a machine without network sees too: tests never depend on real DNS.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DnsResolver } from '../../src/adapters/mailauth/mail-authenticator.ts';

export function fakeDns(txt: Record<string, string | string[]> = {}): DnsResolver & { queries: string[] } {
  const queries: string[] = [];
  const resolver = async (name: string, rrtype: string) => {
    queries.push(`${rrtype} ${name}`);
    const records = rrtype === 'TXT' ? txt[name.toLowerCase()] : undefined;
    if (records === undefined)
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    // Long TXT values are split into 255-byte strings, as a real zone serves them.
    return [records].flat().map((r) => r.match(/.{1,255}/g) ?? ['']);
  };
  return Object.assign(resolver, { queries });
}

/** A DKIM key pair for a test domain: the private key signs, `record` goes under `<selector>._domainkey.<domain>`. */
export function testDkimKey(domain: string, selector = 'test') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    name: `${selector}._domainkey.${domain}`,
    record: `v=DKIM1; k=rsa; p=${der}`,
  };
}
