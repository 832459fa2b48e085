/**
 * Real messages from other projects' test corpora (test/fixtures/corpora/, sources and licences in its README)
 * through the real ingest path: POST /admin/inbound → raw bucket → ingest → DynamoDB / SES v2, local servers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRecord, IngestResult, Member, Update } from '../../../src/domain/index.ts';
import { localMessageId } from '../../../src/use-cases/inbound/ses-event.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpora');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .sort();
const corpora = (name: string): Buffer => readFileSync(join(dir, name));

/** Automatic replies (RFC 3834 Auto-Submitted, Outlook "Out of Office:", Lotus Notes "AUTO:", AOL "(Automatic Response)"). */
const AUTO_REPLIES: Record<string, string> = {
  'sisimai--rfc3834-01.eml': 'fred@example.com',
  'sisimai--rfc3834-02.eml': 'john.smith@b.c',
  'sisimai--rfc3834-03.eml': 'fredbloggs@test.com',
  'sisimai--rfc3834-04.eml': 'uppercrustcook@aol.com',
};
/** Delivery status notifications and abuse reports, sent from addresses registered as a member's below. */
const REPORTS: Record<string, RegExp> = {
  'mail--report_422.eml': /^delivery status notification/,
  'enmime--multipart-wo-boundary.raw.eml': /^delivery status notification/,
  'sisimai--arf-03.eml': /^abuse report/,
};
/** A From: with two mailboxes (or a Sender: that is not the From:), only one of them a member's. */
const MULTI_FROM = ['mail--raw_email_multiple_from.eml', 'enmime--qp-utf8-header.raw.eml'];
/** Subjects made of several adjacent RFC 2047 encoded words, and what they must decode to. */
const ENCODED_SUBJECTS: Record<string, string> = {
  'mail--japanese_attachment_long_name.eml': 'まみむめも'.repeat(10),
  'mail--japanese_iso_2022.eml': 'まみむめも',
  // One encoded word each whose decoded text ends in a line feed (an encoded control character).
  'thunderbird--sample04.eml': 'Алфавит',
  'thunderbird--sample05.eml': 'Алфавит',
};
/** Charsets (Shift_JIS, ISO-2022-JP, ks_c_5601-1987, KOI8-R, windows-1251 bodies, an EUC-KR RFC 2231 file name): what must be read where. */
const bodyText = (u: Update) => u.bodyText;
const CHARSETS: Record<string, [where: (u: Update) => string, text: string]> = {
  'mail--japanese_shift_jis.eml': [bodyText, 'このメールはテスト用のメールです。'],
  'mail--japanese_iso_2022.eml': [bodyText, 'すみません。'],
  'mail--ks_c_5601-1987.eml': [bodyText, '스티해'],
  'thunderbird--sample04.eml': [bodyText, 'Вопрос'],
  'thunderbird--sample05.eml': [bodyText, 'Вопрос'],
  'enmime--long-filename-euckr.raw.eml': [
    (u) => u.attachments.map((a) => a.filename).join('\n'),
    '한국 파일 이름이 매우 긴 첨부 파일입니다.pdf',
  ],
};
/** Calendar invitations (Outlook/Exchange base64 text/calendar; a Thunderbird-style one whose text says "AST"). */
const INVITATIONS: Record<string, string> = {
  'thunderbird--outlook-test-invite.eml': '2021-11-27T07:00:00Z',
  'thunderbird--single-event.eml': '2022-03-16T11:00:00Z',
};

/** Characters no moderator or reader should ever get: C0/C1 controls, bidi controls, zero-width space, word joiner, BOM. */
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u;
const INVISIBLE_IN_LINE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u;
/** Every src/href left in a stored HTML body: only absolute https images and http(s)/mailto links may remain. */
const urlsIn = (html: string, attr: 'src' | 'href') =>
  [...html.matchAll(new RegExp(`\\s${attr}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'gi'))].map(
    (m) => m[2] ?? m[3] ?? m[4] ?? '',
  );

describe('real messages from other projects’ corpora through the embedded stack', () => {
  let stack: Stack;
  const results = new Map<string, IngestResult>();

  const post = async (name: string): Promise<IngestResult> => {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name}: no outcome within 60 s`)), 60_000);
    });
    try {
      const res = await Promise.race([
        stack.admin('/admin/inbound?verdicts=pass', {
          method: 'POST',
          body: corpora(name),
          headers: { 'content-type': 'message/rfc822' },
        }),
        hang,
      ]);
      expect(res.status, name).toBe(200);
      return (await res.json()) as IngestResult;
    } finally {
      clearTimeout(timer);
    }
  };
  const update = async (id: string) => (await (await stack.admin(`/admin/updates/${id}`)).json()) as Update;
  const sentTo = async (address: string) =>
    (await stack.sentMail()).filter((m) => m.destination.to.some((t) => t.toLowerCase().includes(address)));

  beforeAll(async () => {
    stack = await startTestStack();
    const res = await stack.admin('/admin/members', {
      method: 'POST',
      body: JSON.stringify({
        organisation: 'Corpora senders',
        type: 'associate',
        country: 'Estonia',
        // The senders of the corpora messages, so that they take the member path, not "unknown sender".
        // Not registered: PIRARD@vm1.ulg.ac.be and concierge@powerupdev.com (the second mailboxes of MULTI_FROM).
        senders: [
          'fred@example.com',
          'fredbloggs@test.com',
          'uppercrustcook@aol.com',
          'mailer-daemon@tppppp.com.au',
          'mailer-daemon@example.com',
          'feedbackloop@feedback.terra.com',
          'tim@powerupdev.com',
          'jamehi03@jamehi03lx.noa.com',
          'sender@example.com',
          'marge@example.org',
          'raasdnil@gmail.com',
          'mikel@test.lindsaar.net',
          'xxxxxxx@docomo.ne.jp',
          'from@example.com',
          'foo@example.com',
          'test@example.com',
          'tester1@test.com',
          'info@formacaofrenetik.info',
          'james@makita.skynet',
          'new@thunderbird.bug',
        ],
      }),
    });
    expect(res.status).toBe(201);
    const member = (await res.json()) as Member;
    expect(member.memberId).toBeTruthy();
    // Every message once, in order; the assertions below read the outcomes.
    for (const name of names) results.set(name, await post(name));
  }, 900_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('brings every message to a definite outcome and stores the raw message byte for byte', async () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      const r = results.get(name)!;
      expect(['accepted', 'quarantined', 'rejected'], name).toContain(r.outcome);
      if (r.outcome !== 'accepted') expect(r.reason, name).toBeTruthy();
      const raw = corpora(name);
      const rec = (await (
        await stack.admin(`/admin/inbound/${localMessageId(raw)}`)
      ).json()) as InboundRecord;
      expect(rec.outcome, name).toBe(r.outcome);
      expect(rec.rawKey, name).toMatch(/^inbound\/[0-9a-f]{40}$/);
      expect(Buffer.from(await stack.infra.blobs.raw.get(rec.rawKey)).equals(raw), name).toBe(true);
    }
  }, 300_000);

  it('ignores automatic replies quietly: no update, no acknowledgement', async () => {
    for (const [name, sender] of Object.entries(AUTO_REPLIES)) {
      expect(results.get(name), name).toEqual({
        outcome: 'rejected',
        reason: expect.stringMatching(/^automatic reply/),
      });
      expect(await sentTo(sender), name).toEqual([]);
    }
  }, 120_000);

  it('never takes a bounce or an abuse report for a member update, even from a registered address', async () => {
    for (const [name, reason] of Object.entries(REPORTS)) {
      const r = results.get(name)!;
      expect(r.outcome, name).toBe('rejected');
      expect(r.updateId, name).toBeUndefined();
      expect(r.reason, name).toMatch(reason);
    }
    for (const a of [
      'mailer-daemon@tppppp.com.au',
      'mailer-daemon@example.com',
      'feedbackloop@feedback.terra.com',
    ])
      expect(await sentTo(a), a).toEqual([]);
  }, 120_000);

  it('does not take a From: with a second, unregistered mailbox as the member’s mail', async () => {
    for (const name of MULTI_FROM) {
      const r = results.get(name)!;
      expect(r.outcome, name).toBe('rejected');
      expect(r.reason, name).toMatch(/^not a member's own mail/);
      expect(r.updateId, name).toBeUndefined();
    }
    expect(await sentTo('jamehi03@jamehi03lx.noa.com')).toEqual([]);
    expect(await sentTo('tim@powerupdev.com')).toEqual([]);
  }, 120_000);

  it('decodes subjects split over adjacent encoded words whole, without U+FFFD', async () => {
    for (const [name, title] of Object.entries(ENCODED_SUBJECTS)) {
      const r = results.get(name)!;
      expect(r.updateId, `${name}: ${r.outcome} ${r.reason ?? ''}`).toBeTruthy();
      expect((await update(r.updateId!)).title, name).toBe(title);
    }
  }, 120_000);

  it('reads Shift_JIS, ISO-2022-JP, ks_c_5601-1987, EUC-KR, KOI8-R and windows-1251 text', async () => {
    for (const [name, [where, text]] of Object.entries(CHARSETS)) {
      const r = results.get(name)!;
      expect(r.updateId, `${name}: ${r.outcome} ${r.reason ?? ''}`).toBeTruthy();
      const u = await update(r.updateId!);
      expect(where(u), name).toContain(text);
      expect(`${u.title}${u.bodyText}`, name).not.toContain('\ufffd');
    }
  }, 120_000);

  it('makes a calendar invitation an event at the invitation’s start, storing the invitation once', async () => {
    for (const [name, start] of Object.entries(INVITATIONS)) {
      const r = results.get(name)!;
      expect(r.outcome, `${name}: ${r.reason ?? ''}`).toBe('accepted');
      const u = await update(r.updateId!);
      expect(u.kind, name).toBe('event');
      expect(u.event?.start, name).toBe(start);
      expect(
        u.attachments.filter((a) => a.contentType === 'text/calendar'),
        name,
      ).toHaveLength(1);
    }
  }, 120_000);

  it('stores no relative URL and no invisible or control character in anything a moderator or reader sees', async () => {
    let checked = 0;
    for (const name of names) {
      const id = results.get(name)!.updateId;
      if (!id) continue;
      const u = await update(id);
      checked++;
      expect(u.title, name).not.toMatch(INVISIBLE_IN_LINE);
      expect(u.title, name).not.toContain('\ufffd');
      expect(u.summary, name).not.toMatch(INVISIBLE);
      expect(u.bodyText, name).not.toMatch(INVISIBLE);
      expect(u.bodyHtml, name).not.toMatch(INVISIBLE);
      for (const a of u.attachments) expect(a.filename, name).not.toMatch(INVISIBLE_IN_LINE);
      for (const l of u.links) expect(l.label ?? '', name).not.toMatch(INVISIBLE_IN_LINE);
      if (u.event?.location) expect(u.event.location, name).not.toMatch(INVISIBLE_IN_LINE);
      for (const src of urlsIn(u.bodyHtml, 'src')) expect(src, name).toMatch(/^https:\/\/[^/]/i);
      for (const href of urlsIn(u.bodyHtml, 'href'))
        expect(href, name).toMatch(/^(https?:\/\/[^/]|mailto:)/i);
    }
    // Most corpus senders are registered, so most messages become updates whose fields are checked here.
    expect(checked).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
