import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';
import type { Verdicts } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import {
  aligned,
  dkimDomains,
  domainOfAddress,
  organizationalDomain,
} from '../../../src/use-cases/inbound/alignment.ts';
import { makeIngest } from '../../../src/use-cases/inbound/ingest.ts';
import {
  commandsFromEvent,
  localSesEvent,
  presetVerdicts,
} from '../../../src/use-cases/inbound/ses-event.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { MemoryBlobs, MemoryInbound, MemoryMailer, MemoryMembers, MemoryUpdates, member } from './fakes.ts';

describe('organizational domain (approximation without the Public Suffix List)', () => {
  it.each([
    ['member-gpn.org', 'member-gpn.org'],
    ['news.member-gpn.org', 'member-gpn.org'],
    ['Bounce.Member-GPN.org.', 'member-gpn.org'],
    ['a.gpn.org.cn', 'gpn.org.cn'],
    ['gpn.org.cn', 'gpn.org.cn'],
    ['mail.sina.com.cn', 'sina.com.cn'],
    ['www.env.go.jp', 'env.go.jp'],
    ['mail.gpn.or.jp', 'gpn.or.jp'],
    ['kfem.or.kr', 'kfem.or.kr'],
    ['smtp.x.co.uk', 'x.co.uk'],
    ['mail.pref.shiga.jp', 'pref.shiga.jp'],
    ['mx.web.de', 'web.de'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['post.绿色采购.中国', 'xn--ip0aq4eq5mvwe.xn--fiqs8s'],
  ])('%s → %s', (domain, org) => {
    expect(organizationalDomain(domain)).toBe(org);
  });

  it.each([
    'org.cn',
    'co.uk',
    'go.jp',
    'shiga.jp',
    'localhost',
    '',
    '192.168.0.1',
    'a..example',
    '-x.example',
    'x_y.example',
    'x.example/evil',
  ])('%s has none, so nothing aligns with it', (domain) => {
    expect(organizationalDomain(domain)).toBeUndefined();
    expect(aligned(domain, domain)).toBe(false);
  });

  it('aligns subdomains of one organisation only', () => {
    expect(aligned('a.gpn.org.cn', 'b.gpn.org.cn')).toBe(true);
    expect(aligned('gpn.org.cn', 'other.org.cn')).toBe(false);
    expect(aligned('x.co.uk', 'y.co.uk')).toBe(false);
    expect(aligned('env.go.jp', 'mofa.go.jp')).toBe(false);
    expect(aligned('pref.shiga.jp', 'city.shiga.jp')).toBe(false);
    expect(aligned('bounce.member-gpn.org', 'MEMBER-GPN.ORG')).toBe(true);
    expect(aligned('member-gpn.org.attacker.example', 'member-gpn.org')).toBe(false);
  });
});

describe('identities read from the message and the envelope', () => {
  it('reads the domain of an envelope sender, and none from a null sender', () => {
    expect(domainOfAddress('<Bounce@Bounce.Member-GPN.org>')).toBe('bounce.member-gpn.org');
    expect(domainOfAddress('a@b@c.example')).toBe('c.example');
    for (const empty of ['', '<>', undefined, 'no-at-sign', '@'])
      expect(domainOfAddress(empty), String(empty)).toBeUndefined();
  });

  it('reads the d= tag of each DKIM-Signature, ignoring signatures without exactly one readable d=', () => {
    expect(
      dkimDomains([
        'v=1; a=rsa-sha256; c=relaxed/relaxed; d= member-gpn.org ; s=s1; bh=YWJj=; b=ZGVm==',
        'v=1;d=Esp.Example;s=k',
        'v=1; D=uppercase-tag.example; s=k',
        'v=1; d=one.example; d=two.example; s=k',
        'v=1; s=k; b=no-domain',
        'v=1; d=not a domain; s=k',
        'v=1; d=member-gpn.org; s=s2',
      ]),
    ).toEqual(['member-gpn.org', 'esp.example']);
    expect(dkimDomains(undefined)).toEqual([]);
  });
});

describe('SES event → ingest: SPF counts for the envelope sender the event reports', () => {
  const noDmarc: Verdicts = { spf: 'PASS', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS', virus: 'PASS' };

  function world() {
    const raw = new MemoryBlobs('raw');
    const members = new MemoryMembers();
    const m = member();
    members.byId.set(m.memberId, m);
    const mailer = new MemoryMailer();
    const updates = new MemoryUpdates();
    const ingest = makeIngest({
      blobs: { raw, content: new MemoryBlobs('content') },
      members,
      updates,
      inbound: new MemoryInbound(),
      mime: createMimeParser({ timeoutMs: 5_000 }),
      html: createHtmlTools(),
      mailer,
      clock: systemClock,
      logger: silentLogger,
      policy: {
        maxMessageBytes: 1024 * 1024,
        updatesAddress: 'updates@gazette.local',
        unsubscribeAddress: 'unsubscribe@gazette.local',
        from: 'IGPN Gazette <news@gazette.local>',
        defaultTimeZone: 'UTC',
      },
    });
    let n = 0;
    const receive = async (mailFrom: string, verdicts: Verdicts) => {
      const messageId = `ses${++n}`;
      await raw.put(`inbound/${messageId}`, mail({ from: 'news@greenbuy.example' }), 'message/rfc822');
      const event = localSesEvent({
        messageId,
        at: new Date('2026-03-03T10:00:00Z'),
        mailFrom,
        recipients: ['updates@gazette.local'],
        verdicts,
        bucket: 'raw',
      });
      const [cmd] = commandsFromEvent(event);
      return ingest(cmd!);
    };
    return { receive, mailer, updates };
  }

  it('quarantines a member From: whose SPF passed for another domain, without acknowledging it', async () => {
    const w = world();
    expect(await w.receive('bounce@bounce.attacker.example', noDmarc)).toMatchObject({
      outcome: 'quarantined',
      reason: expect.stringContaining(
        'SPF passed for bounce.attacker.example, not aligned with greenbuy.example',
      ),
    });
    expect(w.mailer.sent).toHaveLength(0);
    // Kept on the update, so no later notice (approved, rejected) goes to the possibly forged From.
    const quarantined = await w.updates.listByStatus('quarantined');
    expect(quarantined.map((u) => u.acknowledged)).toEqual([false]);
    expect(await w.receive('bounces@lists.greenbuy.example', noDmarc)).toMatchObject({
      outcome: 'accepted',
    });
    expect((await w.updates.listByStatus('pending')).map((u) => u.acknowledged)).toEqual([undefined]);
  });

  it('accepts local mail under the embedded runtime’s "pass" preset whatever the SMTP envelope sender', async () => {
    // The local SMTP server and POST /admin/inbound fabricate verdicts; "pass" includes DMARC PASS.
    const w = world();
    expect(await w.receive('whoever@localhost', presetVerdicts('pass'))).toMatchObject({
      outcome: 'accepted',
    });
    expect(await w.receive('', presetVerdicts('pass'))).toMatchObject({ outcome: 'accepted' });
  });
});
