/**
 * Issue 15, notices: a member is told when their update is approved, rejected (with the reason) or
 * published (with the archive link), in their language and the system-mail layout, once per event.
 */
import { describe, expect, it } from 'vitest';
import { Update } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { EventLedger } from '../../../src/ports/subscribers.ts';
import { makeModeration } from '../../../src/use-cases/inbound/moderation.ts';
import { buildNotice, makeMemberNotices } from '../../../src/use-cases/notices/member-notices.ts';
import { MemoryMailer, MemoryMembers, MemoryUpdates, member } from '../inbound/fakes.ts';

class MemoryLedger implements EventLedger {
  readonly keys = new Set<string>();
  async claim(key: string) {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    return true;
  }
  async release(key: string) {
    this.keys.delete(key);
  }
}

const update = (over: Partial<Update> = {}): Update =>
  Update.parse({
    updateId: 'u_forum',
    messageId: 'm-1',
    memberId: 'm_greenbuy',
    organisation: 'GreenBuy e.V.',
    sender: 'news@greenbuy.example',
    receivedAt: '2026-01-10T10:00:00.000Z',
    status: 'pending',
    title: 'Forum on green textiles',
    summary: '',
    bodyHtml: '<p>x</p>',
    bodyText: 'x',
    kind: 'news',
    section: 'news',
    rawKey: 'inbound/m-1',
    audit: [{ at: '2026-01-10T10:00:00.000Z', actor: 'system:ingest', action: 'received' }],
    ...over,
  });

async function setup(language = 'en') {
  const members = new MemoryMembers();
  await members.create(member({ language }));
  const updates = new MemoryUpdates();
  await updates.create(update());
  const mailer = new MemoryMailer();
  const ledger = new MemoryLedger();
  const notices = makeMemberNotices({
    members,
    ledger,
    mailer,
    logger: silentLogger,
    from: 'IGPN Gazette <news@gazette.local>',
    newsletterName: 'IGPN Gazette',
    postalAddress: 'IGPN Secretariat, Beijing',
  });
  const moderation = makeModeration({ updates, members, clock: systemClock, onDecision: notices.decided });
  return { members, updates, mailer, ledger, notices, moderation };
}

describe('member notices', () => {
  it('tells the member once when their update is approved, even when the approval is repeated', async () => {
    const { moderation, mailer } = await setup();
    await moderation.approve('u_forum', {}, 'alice');
    await moderation.approve('u_forum', {}, 'alice');
    await moderation.bulk({ action: 'approve', updateIds: ['u_forum'] }, 'alice');
    expect(mailer.sent).toHaveLength(1);
    const m = mailer.sent[0];
    expect(m).toMatchObject({
      to: 'news@greenbuy.example',
      from: 'IGPN Gazette <news@gazette.local>',
      subject: 'Approved: Forum on green textiles',
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    expect(m?.text).toMatch(/has been approved and\s+will\s+appear\s+in\s+the\s+next\s+newsletter/);
    // The system-mail layout, with the postal address.
    expect(m?.html).toContain('<title>Approved: Forum on green textiles</title>');
    expect(m?.html).toContain('IGPN Secretariat, Beijing');
  });

  it('tells the member the reason of a rejection, in their language', async () => {
    const { moderation, mailer } = await setup('zh');
    await moderation.reject('u_forum', '与绿色采购无关', 'alice');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.subject).toBe('未被采用：Forum on green textiles');
    expect(mailer.sent[0]?.text).toContain('原因: 与绿色采购无关');
    expect(mailer.sent[0]?.html).toContain('与绿色采购无关');
    expect(mailer.sent[0]?.html).toContain('lang="zh"');
    // Approving it after all is a new event: the member hears of it.
    await moderation.approve('u_forum', {}, 'bob');
    expect(mailer.sent.map((x) => x.subject)).toEqual([
      '未被采用：Forum on green textiles',
      '已通过审核：Forum on green textiles',
    ]);
  });

  it('tells the member once that their update was published, with the archive link', async () => {
    const { notices, mailer } = await setup('ja');
    const u = update({ status: 'published', editionNumber: 8 });
    const url = 'https://news.igpn.example/archive/editions/8/ja.html';
    expect(await notices.published(u, 8, url)).toBe(true);
    expect(await notices.published(u, 8, url)).toBe(false);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.subject).toBe('掲載されました：Forum on green textiles');
    expect(mailer.sent[0]?.text).toContain(url);
    expect(mailer.sent[0]?.html).toContain(`href="${url}"`);
  });

  it('a failed send frees the claim, so the retry mails it; a notice never fails the moderation step', async () => {
    const { moderation, mailer, notices } = await setup();
    const send = mailer.send.bind(mailer);
    mailer.send = async () => {
      throw new Error('SES throttled');
    };
    const approved = await moderation.approve('u_forum', {}, 'alice');
    expect(approved.status).toBe('approved');
    mailer.send = send;
    await notices.decided('approved', approved);
    expect(mailer.sent).toHaveLength(1);
  });

  it('mails nobody for a disabled member', async () => {
    const { members, moderation, mailer } = await setup();
    await members.save(member({ status: 'disabled' }));
    await moderation.approve('u_forum', {}, 'alice');
    expect(mailer.sent).toHaveLength(0);
  });

  it('never tells an address whose mail was not acknowledged (From possibly forged): no backscatter', async () => {
    const { updates, moderation, mailer } = await setup();
    await updates.create(
      update({ updateId: 'u_forged', status: 'quarantined', acknowledged: false, title: 'Buy now' }),
    );
    await moderation.reject('u_forged', 'sender authentication failed', 'alice');
    await moderation.approve('u_forged', {}, 'alice');
    expect(mailer.sent).toHaveLength(0);
  });

  it('does not tell an address since removed from the member’s senders', async () => {
    const { members, moderation, mailer } = await setup();
    await members.save(member({ senders: ['office@greenbuy.example'] }));
    await moderation.approve('u_forum', {}, 'alice');
    expect(mailer.sent).toHaveLength(0);
  });

  it('mails one rejection, not a second when the reason is corrected', async () => {
    const { moderation, mailer } = await setup();
    await moderation.reject('u_forum', 'Out of scop', 'alice');
    await moderation.reject('u_forum', 'Out of scope', 'alice');
    expect(mailer.sent).toHaveLength(1);
  });

  it('keeps a member’s title out of the markup', () => {
    const m = buildNotice({
      event: 'rejected',
      to: 'a@b.example',
      from: 'IGPN Gazette <news@gazette.local>',
      organisation: 'A & B',
      title: '<img src=x onerror=alert(1)>',
      reason: 'Spam <b>',
      updateId: 'u1',
      newsletterName: 'IGPN Gazette',
      postalAddress: 'Beijing',
    });
    expect(m.html).not.toContain('<img src=x');
    expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(m.html).toContain('Spam &lt;b&gt;');
  });
});
