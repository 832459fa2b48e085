import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMailAuthenticator,
  dkimVerdict,
  verdict,
} from '../../src/adapters/mailauth/mail-authenticator.ts';
import type { InboundRecord, Update } from '../../src/domain/index.ts';
import { fakeDns, testDkimKey } from '../support/fake-dns.ts';
import { startTestStack } from '../support/local-stack.ts';

/**
 * Issue 12, item 7: the local SMTP server stamped every message SPF/DKIM/DMARC PASS, so a forged From of a
 * trusted member was auto-approved. Verdicts are now computed with mailauth; only a real pass approves.
 */
describe('local inbound SMTP verdicts are honest', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const key = testDkimKey('ecocities.example');
  const attacker = testDkimKey('ecocities.example'); // same domain and selector, another private key
  beforeAll(async () => {
    stack = await startTestStack({
      dns: fakeDns({ [key.name]: key.record, '_dmarc.ecocities.example': 'v=DMARC1; p=reject' }),
    });
    const res = await stack.admin('/admin/members', {
      method: 'POST',
      body: JSON.stringify({
        organisation: 'Eco Cities',
        type: 'associate',
        country: 'Singapore',
        senders: ['info@ecocities.example'],
        trusted: true,
      }),
    });
    expect(res.status).toBe(201);
  });
  afterAll(() => stack?.stop());

  const send = async (subject: string, signWith?: typeof key) => {
    const transport = nodemailer.createTransport({
      ...stack.endpoints.smtp,
      secure: false,
      ignoreTLS: true,
      ...(signWith && {
        dkim: {
          domainName: signWith.domain,
          keySelector: signWith.selector,
          privateKey: signWith.privateKey,
        },
      }),
    });
    await transport.sendMail({
      from: 'Eco Cities <info@ecocities.example>',
      to: stack.config.GAZETTE_UPDATES_ADDRESS,
      subject,
      text: 'Our city network publishes its green procurement guide.',
    });
    transport.close();
    for (const outcome of ['accepted', 'quarantined', 'rejected']) {
      const { messages } = (await (await stack.admin(`/admin/inbound?outcome=${outcome}`)).json()) as {
        messages: (InboundRecord & { subject: string })[];
      };
      const m = messages.find((x) => x.subject === subject);
      if (!m) continue;
      const update = m.updateId
        ? ((await (await stack.admin(`/admin/updates/${m.updateId}`)).json()) as Update)
        : undefined;
      return { ...m, status: update?.status ?? outcome };
    }
    return undefined;
  };

  it('quarantines a forged (unsigned) mail in a trusted member’s name instead of approving it', async () => {
    const u = await send('Forged guide');
    expect(u?.status).toBe('quarantined');
    // Nothing signed, no SPF record; the domain's DMARC policy (p=reject) then fails.
    expect(u?.verdicts).toMatchObject({ spf: 'GRAY', dkim: 'GRAY', dmarc: 'FAIL' });
  });

  it('quarantines a mail signed with a key the domain does not publish (DKIM FAIL)', async () => {
    const u = await send('Badly signed guide', attacker);
    expect(u?.status).toBe('quarantined');
    expect(u?.verdicts).toMatchObject({ dkim: 'FAIL' });
  });

  it('auto-approves the trusted member’s mail only with a real DKIM and DMARC pass', async () => {
    const u = await send('Signed guide', key);
    expect(u?.verdicts).toMatchObject({ dkim: 'PASS', dmarc: 'PASS' });
    expect(u?.status).toBe('approved');
  });
});

describe('mailauth verdicts without DNS', () => {
  it('never come out PASS when no record can be looked up (no network)', async () => {
    const key = testDkimKey('gazette-test.invalid');
    const { dkimSign } = await import('mailauth');
    const body = 'From: a@gazette-test.invalid\r\nTo: b@gazette.local\r\nSubject: x\r\n\r\nhello\r\n';
    const { signatures } = await dkimSign(body, {
      signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }],
    } as never);
    const auth = createMailAuthenticator({ resolver: fakeDns() });
    const v = await auth.verify(Buffer.from(signatures + body), {
      clientIp: '127.0.0.1',
      mailFrom: 'a@gazette-test.invalid',
    });
    expect(Object.values(v)).not.toContain('PASS');
    expect(v.dkim).not.toBe('PASS');
  });

  it('maps mailauth results to SES verdicts, PASS only for pass', () => {
    expect(verdict('pass')).toBe('PASS');
    expect(verdict('fail')).toBe('FAIL');
    for (const r of ['none', 'neutral', 'softfail', 'policy', undefined] as const)
      expect(verdict(r)).toBe('GRAY');
    for (const r of ['temperror', 'permerror'] as const) expect(verdict(r)).toBe('PROCESSING_FAILED');
    expect(dkimVerdict([])).toBe('GRAY');
    expect(dkimVerdict(['fail', 'pass'])).toBe('PASS');
    expect(dkimVerdict(['temperror', 'fail'])).toBe('FAIL');
  });
});
