import { describe, expect, it } from 'vitest';
import type { Verdicts } from '../../../src/domain/index.ts';
import { buildAck } from '../../../src/use-cases/inbound/ack.ts';
import { attachmentVerdict, safeFilename } from '../../../src/use-cases/inbound/attachments.ts';
import { type DecisionInput, decide } from '../../../src/use-cases/inbound/classify.ts';
import { member } from './fakes.ts';

const pass: Verdicts = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' };
const input = (over: Partial<DecisionInput> = {}, headers: Record<string, string[]> = {}): DecisionInput => ({
  head: {
    headers,
    from: { address: 'news@greenbuy.example' },
    subject: 'News',
    contentType: 'text/plain',
    partTypes: [],
  },
  verdicts: pass,
  size: 1000,
  maxBytes: 10_000,
  recipients: ['updates@gazette.local'],
  unsubscribeAddress: 'unsubscribe@gazette.local',
  member: member(),
  ...over,
});

describe('the ingest decision', () => {
  it('accepts a registered member with passing verdicts, pending review; trusted members are auto-approved', () => {
    expect(decide(input())).toMatchObject({ outcome: 'accepted', approve: false, ack: true });
    expect(decide(input({ member: member({ trusted: true }) }))).toMatchObject({
      outcome: 'accepted',
      approve: true,
    });
  });

  it('does not auto-approve a trusted member without DMARC: SPF/DKIM may pass for another domain', () => {
    for (const dmarc of ['GRAY', 'DISABLED', 'PROCESSING_FAILED'] as const) {
      // SPF passed for an aligned envelope sender: authenticated, but not proven by DMARC.
      expect(
        decide(
          input({
            member: member({ trusted: true }),
            verdicts: { ...pass, dmarc },
            mailFrom: 'bounces@greenbuy.example',
          }),
        ),
      ).toMatchObject({
        outcome: 'accepted',
        approve: false,
      });
    }
  });

  it('rejects unknown and disabled senders without acknowledgement (no backscatter)', () => {
    expect(decide(input({ member: undefined }))).toMatchObject({
      outcome: 'rejected',
      ack: false,
      reason: expect.stringMatching(/unknown sender/),
    });
    expect(decide(input({ member: member({ status: 'disabled' }) }))).toMatchObject({
      outcome: 'rejected',
      ack: false,
      reason: expect.stringMatching(/disabled/),
    });
  });

  it('quarantines a known sender whose SPF/DKIM/DMARC failed, without acknowledgement (it may be forged)', () => {
    const d = decide(input({ verdicts: { ...pass, dmarc: 'FAIL' } }));
    expect(d).toMatchObject({
      outcome: 'quarantined',
      ack: false,
      reason: expect.stringContaining('DMARC=FAIL'),
    });
    expect(decide(input({ verdicts: { ...pass, spf: 'GRAY', dkim: 'DISABLED' } }))).toMatchObject({
      outcome: 'quarantined',
      reason: expect.stringMatching(/could not be verified/),
    });
  });

  it('quarantines spam from an authenticated member and tells them', () => {
    expect(decide(input({ verdicts: { ...pass, spam: 'FAIL' } }))).toMatchObject({
      outcome: 'quarantined',
      ack: true,
    });
  });

  it('rejects viruses, bounces, abuse reports and auto-replies before looking at the sender', () => {
    expect(decide(input({ verdicts: { ...pass, virus: 'FAIL' } }))).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/virus/),
    });
    expect(
      decide(
        input({
          head: {
            headers: {},
            from: { address: 'x@y.example' },
            subject: 'x',
            reportType: 'delivery-status',
          },
        }),
      ),
    ).toMatchObject({ reason: expect.stringMatching(/bounce/) });
    expect(
      decide(input({ head: { headers: {}, from: { address: 'MAILER-DAEMON@y.example' }, subject: 'x' } })),
    ).toMatchObject({ reason: expect.stringMatching(/bounce/) });
    expect(
      decide(
        input({
          head: {
            headers: {},
            from: { address: 'x@y.example' },
            subject: 'x',
            partTypes: ['message/feedback-report'],
          },
        }),
      ),
    ).toMatchObject({ reason: expect.stringMatching(/abuse report/) });
    for (const headers of <Record<string, string[]>[]>[
      { 'auto-submitted': ['auto-replied'] },
      { 'x-autoreply': ['yes'] },
      { precedence: ['bulk'] },
      { precedence: ['auto_reply'] },
    ]) {
      expect(decide(input({}, headers))).toMatchObject({
        outcome: 'rejected',
        ack: false,
        reason: expect.stringMatching(/automatic reply/),
      });
    }
    expect(decide(input({}, { 'auto-submitted': ['no'] })).outcome).toBe('accepted');
  });

  it('treats mail to the unsubscribe address as an unsubscribe request, only when authenticated', () => {
    const to = { recipients: ['UNSUBSCRIBE@gazette.local'], member: undefined };
    expect(decide(input(to))).toMatchObject({
      outcome: 'rejected',
      unsubscribe: true,
      reason: 'unsubscribe request handled',
    });
    const forged = decide(input({ ...to, verdicts: { ...pass, dkim: 'FAIL', spf: 'FAIL' } }));
    expect(forged).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/not honoured/) });
    expect(forged.outcome === 'rejected' && forged.unsubscribe).toBeFalsy();
  });

  it('rejects an over-size message with the sizes in the reason, acknowledging only authenticated members', () => {
    const d = decide(input({ size: 25 * 1024 * 1024, maxBytes: 10 * 1024 * 1024 }));
    expect(d).toMatchObject({
      outcome: 'rejected',
      ack: true,
      reason: 'message too large: 25.0 MB, the limit is 10.0 MB (send links to large files instead)',
    });
    expect(decide(input({ size: 20_000, member: undefined })).ack).toBe(false);
  });
});

describe('sender authentication aligned with the From: domain (DMARC relaxed alignment)', () => {
  const noDmarc: Verdicts = { ...pass, spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' };
  const spfOnly: Verdicts = { ...noDmarc, spf: 'PASS' };
  const dkimOnly: Verdicts = { ...noDmarc, dkim: 'PASS' };
  const sig = (d: string) =>
    `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${d}; s=sel1; h=from:subject; bh=YWJj; b=ZGVm`;
  const from = (address: string, o: Partial<DecisionInput> = {}, dkim: string[] = []): DecisionInput =>
    input({
      head: {
        headers: dkim.length ? { 'dkim-signature': dkim.map(sig) } : {},
        from: { address },
        subject: 'News',
        contentType: 'text/plain',
        partTypes: [],
      },
      ...o,
    });

  it('does not accept a member mail whose SPF passed only for an unaligned envelope sender and no DMARC pass', () => {
    for (const dmarc of ['GRAY', 'DISABLED', 'PROCESSING_FAILED'] as const) {
      const d = decide(
        from('news@member-gpn.org', {
          verdicts: { ...spfOnly, dmarc },
          mailFrom: 'bounce@bounce.attacker.example',
        }),
      );
      expect(d).toMatchObject({
        outcome: 'quarantined',
        ack: false,
        reason: expect.stringContaining(
          'SPF passed for bounce.attacker.example, not aligned with member-gpn.org',
        ),
      });
    }
  });

  it('does not accept a member mail whose DKIM signature is by an unrelated d= domain', () => {
    const d = decide(
      from('news@member-gpn.org', { verdicts: dkimOnly, mailFrom: 'x@member-gpn.org' }, ['attacker.example']),
    );
    expect(d).toMatchObject({
      outcome: 'quarantined',
      ack: false,
      reason: expect.stringContaining('DKIM passed for attacker.example, not aligned with member-gpn.org'),
    });
  });

  it('counts SPF for an envelope sender in a subdomain of the From: domain, not for look-alike domains', () => {
    expect(
      decide(
        from('news@member-gpn.org', { verdicts: spfOnly, mailFrom: 'bounces+4711@bounce.member-gpn.org' }),
      ),
    ).toMatchObject({ outcome: 'accepted', ack: true });
    for (const mailFrom of [
      'bounce@member-gpn.org.attacker.example',
      'bounce@attacker-member-gpn.org',
      'member-gpn.org@attacker.example',
    ])
      expect(decide(from('news@member-gpn.org', { verdicts: spfOnly, mailFrom })).outcome, mailFrom).toBe(
        'quarantined',
      );
  });

  it('counts a DKIM signature by the parent domain of a subdomain From: (relaxed), not by a look-alike', () => {
    expect(
      decide(from('editor@news.member-gpn.org', { verdicts: dkimOnly }, ['member-gpn.org'])),
    ).toMatchObject({ outcome: 'accepted' });
    expect(
      decide(from('editor@news.member-gpn.org', { verdicts: dkimOnly }, ['member-gpn.org.attacker.example']))
        .outcome,
    ).toBe('quarantined');
  });

  it('aligns within an organisation under .org.cn and .co.uk, never across two registrants of the suffix', () => {
    expect(decide(from('office@a.gpn.org.cn', { verdicts: dkimOnly }, ['b.gpn.org.cn'])).outcome).toBe(
      'accepted',
    );
    expect(decide(from('office@gpn.org.cn', { verdicts: dkimOnly }, ['other.org.cn'])).outcome).toBe(
      'quarantined',
    );
    expect(decide(from('info@x.co.uk', { verdicts: spfOnly, mailFrom: 'b@mail.x.co.uk' })).outcome).toBe(
      'accepted',
    );
    expect(decide(from('info@x.co.uk', { verdicts: spfOnly, mailFrom: 'b@y.co.uk' })).outcome).toBe(
      'quarantined',
    );
  });

  it('takes a DMARC PASS as aligned whatever the SPF and DKIM identities, and only then', () => {
    const forgedLooking = (dmarc: Verdicts['dmarc']) =>
      from(
        'news@member-gpn.org',
        {
          verdicts: { ...pass, dmarc },
          mailFrom: 'bounce@esp.example',
          member: member({ trusted: true }),
        },
        ['esp.example'],
      );
    expect(decide(forgedLooking('PASS'))).toMatchObject({ outcome: 'accepted', approve: true });
    expect(decide(forgedLooking('GRAY'))).toMatchObject({
      outcome: 'quarantined',
      reason:
        'sender could not be verified: SPF passed for esp.example and DKIM passed for esp.example, ' +
        'not aligned with member-gpn.org (DMARC=GRAY)',
    });
  });

  it('accepts when one of several DKIM signatures is aligned, or when either SPF or DKIM is', () => {
    expect(
      decide(from('news@member-gpn.org', { verdicts: dkimOnly }, ['esp.example', 'member-gpn.org'])).outcome,
    ).toBe('accepted');
    expect(
      decide(from('news@member-gpn.org', { verdicts: dkimOnly }, ['esp.example', 'other.example'])),
    ).toMatchObject({
      outcome: 'quarantined',
      reason: expect.stringContaining('DKIM passed for esp.example, other.example'),
    });
    const both = { ...noDmarc, spf: 'PASS', dkim: 'PASS' } as const;
    expect(
      decide(from('news@member-gpn.org', { verdicts: both, mailFrom: 'b@esp.example' }, ['member-gpn.org']))
        .outcome,
    ).toBe('accepted');
    expect(
      decide(from('news@member-gpn.org', { verdicts: both, mailFrom: 'b@member-gpn.org' }, ['esp.example']))
        .outcome,
    ).toBe('accepted');
  });

  it('does not take SPF for an empty envelope sender (<>) or a DKIM pass without a readable d= as aligned', () => {
    for (const mailFrom of ['', '<>', undefined])
      expect(decide(from('news@member-gpn.org', { verdicts: spfOnly, mailFrom }))).toMatchObject({
        outcome: 'quarantined',
        reason: expect.stringContaining('SPF passed for an empty or unreadable envelope sender'),
      });
    expect(decide(from('news@member-gpn.org', { verdicts: dkimOnly }))).toMatchObject({
      outcome: 'quarantined',
      reason: expect.stringContaining('no DKIM-Signature names a readable d= domain'),
    });
  });

  it('does not honour an unsubscribe request whose SPF passed for another domain (no forged unsubscribes)', () => {
    const d = decide(
      from('someone@member-gpn.org', {
        recipients: ['unsubscribe@gazette.local'],
        member: undefined,
        verdicts: spfOnly,
        mailFrom: 'x@attacker.example',
      }),
    );
    expect(d).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/not honoured.*not aligned/),
    });
    expect(d.outcome === 'rejected' && d.unsubscribe).toBeFalsy();
    expect(
      decide(
        from('someone@member-gpn.org', {
          recipients: ['unsubscribe@gazette.local'],
          member: undefined,
          verdicts: spfOnly,
          mailFrom: 'someone@member-gpn.org',
        }),
      ),
    ).toMatchObject({ unsubscribe: true });
  });
});

describe('attachments', () => {
  it.each([
    ['report.pdf', 'application/pdf', true],
    ['photo.JPG', 'image/jpeg', true],
    ['invite.ics', 'text/calendar', true],
    ['setup.exe', 'application/octet-stream', false],
    ['report.pdf.exe', 'application/pdf', false],
    ['calc.js', 'application/octet-stream', false],
    [undefined, 'text/javascript', false],
    ['budget.xlsm', 'application/vnd.ms-excel.sheet.macroenabled.12', false],
    ['logo.svg', 'image/svg+xml', false],
    ['bundle.zip', 'application/zip', false],
    ['page.html', 'text/html', false],
    [undefined, 'message/rfc822', false],
    ['brochure.pdf', 'application/octet-stream', true],
    ['blob.dat', 'application/octet-stream', false],
    ['slides.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', true],
  ])('%s (%s) publishable: %s', (name, type, ok) => {
    expect(attachmentVerdict(name, type).publishable).toBe(ok);
  });

  it('makes file names safe for keys and headers', () => {
    expect(safeFilename('../../etc/passwd', 0, 'text/plain')).toBe('_.._etc_passwd');
    expect(safeFilename('a\r\nb.pdf', 0, 'application/pdf')).toBe('ab.pdf');
    expect(safeFilename(undefined, 2, 'image/png')).toBe('attachment-3.png');
    expect(safeFilename('报告.pdf', 0, 'application/pdf')).toBe('报告.pdf');
  });

  it('shortens a long file name before its extension, so a long report stays a publishable .pdf', () => {
    const long = `${'Annual report on green public procurement in the Asia Pacific region, '.repeat(3)}final.pdf`;
    const name = safeFilename(long, 0, 'application/octet-stream');
    expect(Array.from(name)).toHaveLength(120);
    expect(name).toMatch(/^Annual report on green public procurement.*\.pdf$/);
    expect(attachmentVerdict(name, 'application/octet-stream').publishable).toBe(true);
    expect(safeFilename(`${'x'.repeat(200)}.pdf.exe`, 0, 'application/pdf')).toMatch(/\.exe$/);
  });

  it('never cuts a file name inside a character (no lone surrogate in the key)', () => {
    const name = safeFilename(`${'a'.repeat(111)}${'😀'.repeat(20)}`, 0, 'image/png');
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(Array.from(name)).toHaveLength(120);
  });
});

describe('acknowledgements', () => {
  const base = {
    to: 'a@b.example',
    from: 'G <news@g.local>',
    organisation: 'GreenBuy',
    title: 'Forum',
    status: 'pending' as const,
    attachments: 1,
    withheld: [],
  };

  it('speaks the member’s language, falling back to English', () => {
    expect(buildAck({ ...base, language: 'zh-Hans' }).subject).toBe('已收到：Forum');
    expect(buildAck({ ...base, language: 'ja' }).text).toContain('ありがとうございます');
    expect(buildAck({ ...base, language: 'ko' }).subject).toContain('접수');
    expect(buildAck({ ...base, language: 'sw' }).subject).toBe('Received: Forum');
  });

  it('is marked auto-submitted, threads only to a well-formed Message-ID, and never carries line breaks in headers', () => {
    const ok = buildAck({ ...base, inReplyTo: '<abc@x.example>', title: 'A\r\nBcc: evil@x.example' });
    expect(ok.headers).toMatchObject({ 'Auto-Submitted': 'auto-replied', 'In-Reply-To': '<abc@x.example>' });
    expect(ok.subject).not.toMatch(/[\r\n]/);
    const bad = buildAck({ ...base, inReplyTo: '<a@x>\r\nBcc: y@z' });
    expect(bad.headers?.['In-Reply-To']).toBeUndefined();
    // SES takes only printable ASCII in a header: threading is dropped, not the acknowledgement.
    const unicode = buildAck({ ...base, inReplyTo: '<消息@x.example>' });
    expect(unicode.headers?.['In-Reply-To']).toBeUndefined();
  });

  it('states the status, the reason and withheld files', () => {
    const t = buildAck({
      ...base,
      status: 'quarantined',
      reason: 'attachments withheld',
      withheld: ['x.exe'],
    }).text;
    expect(t).toContain('held for a manual check');
    expect(t).toContain('Reason: attachments withheld');
    expect(t).toContain('x.exe');
  });
});
