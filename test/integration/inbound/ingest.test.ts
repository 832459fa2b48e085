import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeIngest } from '../../../src/app/ingest.ts';
import type { IngestResult, Member, Update } from '../../../src/domain/index.ts';
import { localSesEvent } from '../../../src/use-cases/inbound/ses-event.ts';
import {
  corpus,
  corpusNames,
  fixture,
  fixtureNames,
  mail,
  nestedMultipart,
} from '../../fixtures/inbound/index.ts';
import { fakeDns, testDkimKey } from '../../support/fake-dns.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

describe('inbound mail through the embedded stack (S3, DynamoDB, SES v2, SMTP)', () => {
  let stack: Stack;
  const post = async (raw: Buffer, verdicts = 'pass'): Promise<IngestResult> => {
    const res = await stack.admin(`/admin/inbound?verdicts=${verdicts}`, {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as IngestResult;
  };
  const update = async (id: string) => (await (await stack.admin(`/admin/updates/${id}`)).json()) as Update;
  const addMember = async (body: Record<string, unknown>) => {
    const res = await stack.admin('/admin/members', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await res.json()) as Member;
  };
  const acksTo = async (address: string) =>
    (await stack.sentMail()).filter((m) => m.destination.to.includes(address));

  // GreenBuy signs its mail (DKIM) and publishes a DMARC policy: local SMTP verdicts are real checks.
  const greenbuyKey = testDkimKey('greenbuy.example');
  beforeAll(async () => {
    stack = await startTestStack({
      dns: fakeDns({
        [greenbuyKey.name]: greenbuyKey.record,
        '_dmarc.greenbuy.example': 'v=DMARC1; p=reject',
      }),
    });
    await addMember({
      organisation: 'GreenBuy e.V.',
      type: 'network',
      country: 'Germany',
      language: 'de',
      senders: ['news@greenbuy.example'],
    });
    await addMember({
      organisation: 'Eco Cities',
      type: 'associate',
      country: 'Singapore',
      senders: ['info@ecocities.example'],
      trusted: true,
    });
    await addMember({
      organisation: '中国绿色采购联盟',
      type: 'council',
      country: 'China',
      language: 'zh',
      senders: ['info@zhgpn.example'],
    });
    await addMember({
      organisation: 'GPN Japan',
      type: 'council',
      country: 'Japan',
      language: 'ja',
      senders: ['office@jgpn.example'],
    });
    await addMember({
      organisation: 'KGPN',
      type: 'council',
      country: 'Korea',
      language: 'ko',
      senders: ['kgpn@kgpn.example'],
    });
    // Registered so that corpus messages exercise the member path too, not only the rejections.
    await addMember({
      organisation: 'Corpus senders',
      type: 'associate',
      country: 'Estonia',
      senders: ['andris@postalsys.com', 'rfinnie@domain.dom', 'test@example.com', 'u@example.com'],
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('brings every corpus message to a definite outcome, storing the raw message and the reason', async () => {
    const expected: Record<string, RegExp> = {
      'mailparser--delivery-status.eml': /^rejected: delivery status notification/,
      'postal-mime--bounce.eml': /^rejected: delivery status notification/,
      'postal-mime--arf.eml': /^rejected: abuse report/,
      'mailparser--spam.eml': /^rejected: unknown sender/,
      'mailparser--nodemailer.eml': /^rejected: unknown sender/,
      'mailparser--mixed.eml': /^rejected: the message has no sender/,
      'postal-mime--calendar-event.eml': /^accepted/,
      'mailparser--htmllargecallstack.eml': /^accepted/,
      'postal-mime--mimetorture.eml': /^quarantined: attachments withheld/,
    };
    const names = corpusNames();
    expect(names.length).toBeGreaterThanOrEqual(13);
    for (const name of names) {
      const r = await post(corpus(name));
      expect(['accepted', 'quarantined', 'rejected'], name).toContain(r.outcome);
      if (r.outcome !== 'accepted') expect(r.reason, name).toBeTruthy();
      if (expected[name])
        expect(`${r.outcome}${r.reason ? `: ${r.reason}` : ''}`, name).toMatch(expected[name]);
    }
    const rejected = (await (await stack.admin('/admin/inbound?outcome=rejected')).json()) as {
      messages: { rawKey: string; reason: string; from: string }[];
    };
    for (const m of rejected.messages) {
      expect(m.rawKey).toMatch(/^inbound\/[0-9a-f]{40}$/);
      expect(await stack.infra.blobs.raw.exists(m.rawKey)).toBe(true);
    }
    // No backscatter: nothing went to the bounce, abuse-desk or unknown senders.
    const to = (await stack.sentMail()).flatMap((m) => m.destination.to);
    for (const a of [
      'mailer-daemon@amazonses.com',
      'abusedesk@example.com',
      'noreply@guide-des-vins-de-bourgogne.fr',
      'andris@kreata.ee',
    ])
      expect(to).not.toContain(a);
  });

  it('delivers a DKIM-signed mail sent over SMTP on loopback into moderation and acknowledges it in the member’s language', async () => {
    const transport = nodemailer.createTransport({
      ...stack.endpoints.smtp,
      secure: false,
      ignoreTLS: true,
      dkim: {
        domainName: greenbuyKey.domain,
        keySelector: greenbuyKey.selector,
        privateKey: greenbuyKey.privateKey,
      },
    });
    const info = await transport.sendMail({
      from: 'GreenBuy <news@greenbuy.example>',
      to: stack.config.GAZETTE_UPDATES_ADDRESS,
      subject: 'Fwd: [GreenBuy] Webinar on eco-labels',
      text: 'Our webinar on eco-labels for public buyers.\n\nWhen: 2026-04-02 10:00 CET\nLink: https://greenbuy.example/webinar',
      attachments: [
        { filename: 'agenda.pdf', content: Buffer.from('%PDF-1.4 agenda'), contentType: 'application/pdf' },
      ],
    });
    transport.close();
    expect(info.rejected).toEqual([]);
    const list = (await (await stack.admin('/admin/updates?status=pending')).json()) as { updates: Update[] };
    const u = list.updates.find((x) => x.title === 'Webinar on eco-labels');
    expect(u).toMatchObject({
      kind: 'event',
      event: { start: '2026-04-02T08:00:00Z', timeZone: 'Europe/Paris' },
      links: [{ url: 'https://greenbuy.example/webinar' }],
      attachments: [
        expect.objectContaining({
          filename: 'agenda.pdf',
          contentType: 'application/pdf',
          publishable: true,
        }),
      ],
    });
    const file = u!.attachments[0]!;
    expect(Buffer.from(await stack.infra.blobs.content.get(file.key)).toString()).toBe('%PDF-1.4 agenda');
    expect(u!.rawKey).toMatch(/^inbound\//);
    const acks = (await acksTo('news@greenbuy.example')).filter((m) =>
      m.subject.includes('Webinar on eco-labels'),
    );
    expect(acks).toHaveLength(1);
    expect(acks[0]?.body.text).toContain('Webinar on eco-labels');
    expect(acks[0]?.headers).toContainEqual({ name: 'Auto-Submitted', value: 'auto-replied' });
  });

  it('makes one update from the same SES message delivered twice (one acknowledgement)', async () => {
    const raw = mail({ subject: 'Duplicate delivery test', messageId: 'dup@greenbuy.example' });
    const messageId = 'ses0duplicate0delivery0test0000000000001';
    await stack.infra.blobs.raw.put(`inbound/${messageId}`, raw, 'message/rfc822');
    const event = localSesEvent({
      messageId,
      at: new Date(),
      mailFrom: 'news@greenbuy.example',
      recipients: [stack.config.GAZETTE_UPDATES_ADDRESS],
      verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
      bucket: stack.infra.blobs.raw.bucket,
    });
    const [first] = await stack.app.ingest.handleSesEvent(event);
    const [second] = await stack.app.ingest.handleSesEvent(JSON.parse(JSON.stringify(event)));
    expect(second).toEqual(first);
    const all = (await (await stack.admin('/admin/updates?status=pending')).json()) as { updates: Update[] };
    expect(all.updates.filter((u) => u.messageId === messageId)).toHaveLength(1);
    expect(
      (await acksTo('news@greenbuy.example')).filter((m) => m.subject.includes('Duplicate delivery test')),
    ).toHaveLength(1);
  });

  it('rejects a malformed SES event with a validation error', async () => {
    await expect(stack.app.ingest.handleSesEvent({ Records: [{ ses: {} }] })).rejects.toThrow(
      /not an SES receipt event/,
    );
  });

  it('auto-approves a trusted member; quarantines failing verdicts without acknowledging', async () => {
    const ok = await post(fixture('outlook-html.eml'));
    expect(ok.outcome).toBe('accepted');
    const u = await update(ok.updateId!);
    expect(u).toMatchObject({ status: 'approved', title: 'New guidelines published', kind: 'publication' });
    expect(u.bodyHtml).not.toMatch(/mso|<o:p|class=/i);

    const before = (await acksTo('info@ecocities.example')).length;
    const spoofed = await post(fixture('apple-mail.eml'), 'fail');
    expect(spoofed).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/SPF=FAIL/) });
    expect((await update(spoofed.updateId!)).status).toBe('quarantined');
    expect((await acksTo('info@ecocities.example')).length).toBe(before);
  });

  it('handles the hostile and multilingual fixtures, never publishing scripts or executables', async () => {
    const outcomes: Record<string, string> = {};
    for (const name of fixtureNames()) {
      const r = await post(fixture(name));
      outcomes[name] = r.outcome;
      if (!r.updateId) continue;
      const u = await update(r.updateId);
      expect(u.bodyHtml, name).not.toMatch(/<script|<iframe|<style|\son\w+=|javascript:/i);
      expect(u.title, name).not.toMatch(/[\r\n]/);
      for (const a of u.attachments) if (/\.(exe|js)$/.test(a.filename)) expect(a.publishable).toBe(false);
    }
    expect(outcomes).toMatchObject({
      'auto-reply.eml': 'rejected',
      'dangerous-attachments.eml': 'quarantined',
      'gb2312-zh.eml': 'accepted',
      'iso-2022-jp-ja.eml': 'accepted',
      'euc-kr-ko.eml': 'accepted',
      'injection-html.eml': 'accepted',
      'unsubscribe.eml': 'rejected',
    });
    const ja = (await acksTo('office@jgpn.example'))[0];
    expect(ja?.subject).toBe('受領しました：グリーン購入セミナーのご案内');
    const ko = (await acksTo('kgpn@kgpn.example'))[0];
    expect(ko?.subject).toBe('접수 완료: 녹색구매 보고서 발간');
  });

  it('ingests ~5 MB of nested multiparts from a member', async () => {
    const r = await post(nestedMultipart(40, 5 * 1024 * 1024));
    // 40 .dat blobs are kept but not published, so the update waits in quarantine.
    expect(r).toMatchObject({
      outcome: 'quarantined',
      reason: expect.stringMatching(/^attachments withheld/),
    });
    expect((await update(r.updateId!)).attachments).toHaveLength(40);
  });

  it('rejects a message over the configured size limit with a clear reason', async () => {
    const small = composeIngest({
      ...stack.infra,
      config: { ...stack.config, GAZETTE_MAX_MESSAGE_BYTES: 2048 },
    });
    const r = await small.receiveRaw(mail({ subject: 'Big one', body: 'x'.repeat(4096) }), {
      from: 'news@greenbuy.example',
      to: [],
    });
    expect(r).toEqual({
      outcome: 'rejected',
      reason: 'message too large: 0.0 MB, the limit is 0.0 MB (send links to large files instead)',
    });
  });

  it('treats POST /admin/inbound mail to a look-alike address as an update mail, not an unsubscribe request', async () => {
    // "x-unsubscribe@gazette.local" contains "unsubscribe@gazette.local" as a substring, but is another address.
    const r = await post(
      mail({ from: 'stranger@example.org', to: 'x-unsubscribe@gazette.local', subject: 'hello' }),
    );
    expect(r.reason ?? '').not.toMatch(/unsubscribe/);
    const genuine = await post(
      mail({ from: 'stranger@example.org', to: 'Unsubscribe <unsubscribe@gazette.local>', subject: 'stop' }),
    );
    expect(genuine.reason).toMatch(/unsubscribe/);
  });

  it('hands List-Unsubscribe mailto requests to the subscribers area', async () => {
    const unsubscribed: string[] = [];
    const inbound = composeIngest(stack.infra, {
      unsubscribeByEmail: async (email) => {
        unsubscribed.push(email);
      },
    });
    const r = await inbound.receiveRaw(
      mail({ from: 'reader@example.org', to: 'unsubscribe@gazette.local', subject: 'unsubscribe s_1' }),
      {
        from: 'reader@example.org',
        to: [stack.config.GAZETTE_UNSUBSCRIBE_MAILTO],
      },
    );
    expect(r).toEqual({ outcome: 'rejected', reason: 'unsubscribe request handled' });
    expect(unsubscribed).toEqual(['reader@example.org']);
  });
});
