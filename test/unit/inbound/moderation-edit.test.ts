/**
 * Issue 15, editing in moderation: every field of an update can be changed without approving it, a stale
 * version is refused (never silently overwritten), dropped attachments stay out of editions, and many
 * updates are approved or rejected at once.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createSharpResizer } from '../../../src/adapters/images/sharp-resizer.ts';
import {
  ConflictError,
  StaleVersionError,
  type StoredFile,
  Update,
  updateVersion,
  ValidationError,
} from '../../../src/domain/index.ts';
import type { BlobStore } from '../../../src/ports/blob-store.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { prepareMedia } from '../../../src/use-cases/editions/media.ts';
import { buildView, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { makeModeration } from '../../../src/use-cases/inbound/moderation.ts';
import { MemoryMembers, MemoryUpdates, member } from './fakes.ts';

const file = (key: string, filename: string, contentType = 'application/pdf'): StoredFile => ({
  key,
  filename,
  contentType,
  size: 120_000,
  inline: false,
  publishable: true,
});

const update = (updateId: string): Update =>
  Update.parse({
    updateId,
    messageId: `m-${updateId}`,
    memberId: 'm_greenbuy',
    organisation: 'GreenBuy e.V.',
    sender: 'news@greenbuy.example',
    receivedAt: '2026-01-10T10:00:00.000Z',
    status: 'pending',
    title: 'Webinar on green ICT',
    summary: 'Join us.',
    bodyHtml: '<p>Join us.</p>',
    bodyText: 'Join us.',
    kind: 'news',
    section: 'news',
    links: [{ url: 'https://greenbuy.example/webinar' }],
    attachments: [
      file('updates/u1/01-guide.pdf', '01-guide.pdf'),
      file('updates/u1/02-photo.jpg', '02-photo.jpg', 'image/jpeg'),
    ],
    rawKey: `inbound/m-${updateId}`,
    audit: [{ at: '2026-01-10T10:00:00.000Z', actor: 'system:ingest', action: 'received' }],
  });

async function setup() {
  const updates = new MemoryUpdates();
  const members = new MemoryMembers();
  await members.create(member());
  await members.create(member({ memberId: 'm_keiti', organisation: 'KEITI', country: 'Korea' }));
  await updates.create(update('u1'));
  const decisions: [string, string][] = [];
  const moderation = makeModeration({
    updates,
    members,
    clock: systemClock,
    onDecision: async (event, u) => {
      decisions.push([event, u.updateId]);
    },
  });
  return { updates, moderation, decisions };
}

describe('editing an update without approving it', () => {
  it('changes every field a reader sees and keeps the status pending', async () => {
    const { moderation, updates } = await setup();
    const agenda = 'Agenda of the webinar:\r\n\r\n1. Welcome   \r\n2. Green ICT criteria\r\n- Q&A';
    const edited = await moderation.edit(
      'u1',
      {
        title: '  Webinar: green ICT criteria ',
        summary: agenda,
        bodyText: 'Join us online.\n\nRegister at https://greenbuy.example/register',
        kind: 'event',
        event: {
          start: '2026-03-17T17:00:00+01:00',
          end: '2026-03-17T18:30:00+01:00',
          timeZone: 'Europe/Berlin',
          location: 'Online (Zoom)',
        },
        deadline: '2026-03-10T23:59:00+01:00',
        links: [{ url: 'https://greenbuy.example/register', label: 'Register' }],
        memberId: 'm_keiti',
      },
      'alice',
    );
    expect(edited).toMatchObject({
      status: 'pending',
      title: 'Webinar: green ICT criteria',
      // Line breaks and the list survive (CRLF and trailing blanks normalised).
      summary: 'Agenda of the webinar:\n\n1. Welcome\n2. Green ICT criteria\n- Q&A',
      bodyText: 'Join us online.\n\nRegister at https://greenbuy.example/register',
      kind: 'event',
      section: 'events', // follows the kind
      event: {
        start: '2026-03-17T17:00:00+01:00',
        end: '2026-03-17T18:30:00+01:00',
        timeZone: 'Europe/Berlin',
        location: 'Online (Zoom)',
      },
      deadline: '2026-03-10T23:59:00+01:00',
      links: [{ url: 'https://greenbuy.example/register', label: 'Register' }],
      memberId: 'm_keiti',
      organisation: 'KEITI',
    });
    expect(edited.bodyHtml).toContain('<a href="https://greenbuy.example/register"');
    expect(edited.audit.at(-1)).toMatchObject({ actor: 'alice', action: 'edited' });
    for (const field of [
      'title',
      'summary',
      'bodyText',
      'bodyHtml',
      'kind',
      'section',
      'event',
      'deadline',
      'links',
      'memberId',
      'organisation',
    ])
      expect(edited.audit.at(-1)?.note).toContain(field);
    expect(await updates.get('u1')).toEqual(edited);
    expect(updateVersion(edited)).toBe(2);
  });

  it('changes one field of the event, clears another, and refuses an end before the start', async () => {
    const { moderation } = await setup();
    await moderation.edit(
      'u1',
      { event: { start: '2026-03-17T17:00:00+01:00', timeZone: 'Europe/Berlin', location: 'Berlin' } },
      'alice',
    );
    const moved = await moderation.edit('u1', { event: { location: 'Bonn', timeZone: null } }, 'alice');
    expect(moved.event).toEqual({ start: '2026-03-17T17:00:00+01:00', location: 'Bonn' });
    await expect(
      moderation.edit('u1', { event: { end: '2026-03-17T16:00:00+01:00' } }, 'alice'),
    ).rejects.toThrow(/end must be after the start/);
    const cleared = await moderation.edit('u1', { event: null, deadline: null }, 'alice');
    expect(cleared.event).toBeUndefined();
    // A new event needs a start.
    await expect(moderation.edit('u1', { event: { location: 'Bonn' } }, 'alice')).rejects.toThrow(
      ValidationError,
    );
  });

  it('drops an attachment (kept aside, restorable) and sets alt text on a kept photo', async () => {
    const { moderation } = await setup();
    const dropped = await moderation.edit(
      'u1',
      { attachments: [{ key: 'updates/u1/02-photo.jpg', alt: 'Participants of the 2025 forum' }] },
      'alice',
    );
    // Editions publish `attachments` only: the dropped PDF can never reach readers.
    expect(dropped.attachments).toEqual([
      {
        ...file('updates/u1/02-photo.jpg', '02-photo.jpg', 'image/jpeg'),
        alt: 'Participants of the 2025 forum',
      },
    ]);
    expect(dropped.droppedAttachments?.map((f) => f.key)).toEqual(['updates/u1/01-guide.pdf']);
    const restored = await moderation.edit(
      'u1',
      { attachments: ['updates/u1/02-photo.jpg', 'updates/u1/01-guide.pdf'] },
      'alice',
    );
    // In the order the moderator listed them.
    expect(restored.attachments.map((f) => f.key)).toEqual([
      'updates/u1/02-photo.jpg',
      'updates/u1/01-guide.pdf',
    ]);
    expect(restored.droppedAttachments).toBeUndefined();
    expect(restored.attachments[0]?.alt).toBe('Participants of the 2025 forum');
    await expect(moderation.edit('u1', { attachments: ['updates/other/x.pdf'] }, 'alice')).rejects.toThrow(
      /no file updates\/other\/x.pdf/,
    );
  });

  it('refuses HTML outside the sanitiser set and unknown members, saving nothing', async () => {
    const { moderation, updates } = await setup();
    await expect(moderation.edit('u1', { bodyHtml: '<p onclick="x()">Hi</p>' }, 'alice')).rejects.toThrow(
      /p\[onclick\] is not allowed/,
    );
    await expect(moderation.edit('u1', { bodyHtml: '<script>x()</script>' }, 'alice')).rejects.toThrow(
      /<script> is not allowed/,
    );
    await expect(moderation.edit('u1', { memberId: 'm_nobody' }, 'alice')).rejects.toThrow(
      /no member m_nobody/,
    );
    expect((await updates.get('u1'))?.audit).toHaveLength(1);
    const ok = await moderation.edit(
      'u1',
      {
        bodyHtml:
          '<p>Read the <a href="https://greenbuy.example/p">press release</a></p><ul><li>one</li></ul>',
      },
      'alice',
    );
    expect(ok.bodyText).toBe('Read the press release\n\n* one');
  });

  it('changes only the name shown, and an edit that changes nothing writes nothing', async () => {
    const { moderation } = await setup();
    const renamed = await moderation.edit('u1', { organisation: 'GreenBuy' }, 'alice');
    expect(renamed).toMatchObject({ memberId: 'm_greenbuy', organisation: 'GreenBuy' });
    const same = await moderation.edit(
      'u1',
      { organisation: 'GreenBuy', title: 'Webinar on green ICT' },
      'alice',
    );
    expect(same.audit).toHaveLength(renamed.audit.length);
  });

  it('refuses a stale version and never overwrites the newer edit', async () => {
    const { moderation, updates } = await setup();
    // Two moderators read version 1; Alice saves first.
    const alice = await moderation.edit('u1', { version: 1, title: 'Alice’s title' }, 'alice');
    expect(updateVersion(alice)).toBe(2);
    await expect(moderation.edit('u1', { version: 1, title: 'Bob’s title' }, 'bob')).rejects.toThrow(
      StaleVersionError,
    );
    await expect(moderation.approve('u1', { version: 1 }, 'bob')).rejects.toThrow(StaleVersionError);
    await expect(moderation.reject('u1', 'duplicate', 'bob', 1)).rejects.toThrow(StaleVersionError);
    expect(await updates.get('u1')).toMatchObject({ title: 'Alice’s title', status: 'pending' });
    // With the current version it goes through.
    expect((await moderation.approve('u1', { version: 2 }, 'bob')).status).toBe('approved');
  });

  it('a race lost between read and write is a stale version when the caller named one', async () => {
    const { moderation, updates } = await setup();
    const save = updates.save.bind(updates);
    updates.save = async () => {
      throw new ConflictError('changed');
    };
    await expect(moderation.edit('u1', { version: 1, title: 'X' }, 'alice')).rejects.toThrow(
      StaleVersionError,
    );
    // Without a version it stays the repository's conflict (409), as before.
    const plain = moderation.edit('u1', { title: 'X' }, 'alice');
    await expect(plain).rejects.toThrow(ConflictError);
    await expect(plain).rejects.not.toThrow(StaleVersionError);
    updates.save = save;
  });

  it('cannot edit a published or merged update', async () => {
    const { moderation, updates } = await setup();
    const u = (await updates.get('u1')) as Update;
    updates.byId.set('u1', { ...u, status: 'published', editionNumber: 6 });
    await expect(moderation.edit('u1', { title: 'Late fix' }, 'alice')).rejects.toThrow(/published/);
  });
});

describe('bulk moderation', () => {
  it('approves many, each on its own: a missing one is reported, the others approved', async () => {
    const { moderation, updates, decisions } = await setup();
    await updates.create(update('u2'));
    const results = await moderation.bulk(
      { action: 'approve', updateIds: ['u1', 'nope', 'u2', 'u1'] },
      'alice',
    );
    expect(results).toEqual([
      { updateId: 'u1', ok: true, status: 'approved', version: 2 },
      { updateId: 'nope', ok: false, error: 'not_found', message: 'no update nope' },
      { updateId: 'u2', ok: true, status: 'approved', version: 2 },
    ]);
    expect(decisions).toEqual([
      ['approved', 'u1'],
      ['approved', 'u2'],
    ]);
  });

  it('rejects many with one reason, and refuses a bulk reject without one', async () => {
    const { moderation, updates } = await setup();
    await updates.create(update('u2'));
    const results = await moderation.bulk(
      { action: 'reject', updateIds: ['u1', 'u2'], reason: 'Not about green procurement' },
      'alice',
    );
    expect(results.every((r) => r.ok && r.status === 'rejected')).toBe(true);
    expect((await updates.get('u2'))?.reason).toBe('Not about green procurement');
    await expect(moderation.bulk({ action: 'reject', updateIds: ['u1'] }, 'alice')).rejects.toThrow(
      /reason is required/,
    );
  });
});

describe('an edited update in the edition', () => {
  it('leaves a dropped PDF out of the mail and media/, and uses the moderator’s alt text for a photo', async () => {
    const { moderation } = await setup();
    const edited = await moderation.edit(
      'u1',
      { attachments: [{ key: 'updates/u1/02-photo.jpg', alt: 'Participants of the 2025 forum' }] },
      'alice',
    );
    const objects = new Map<string, Uint8Array>();
    const content: BlobStore = {
      bucket: 'content',
      put: async (k, b) => {
        objects.set(k, typeof b === 'string' ? Buffer.from(b) : b);
      },
      get: async (k) => {
        const v = objects.get(k);
        if (!v) throw new Error(`no ${k}`);
        return v;
      },
      getText: async (k) => Buffer.from(await content.get(k)).toString('utf8'),
      exists: async (k) => objects.has(k),
      list: async (p) => [...objects.keys()].filter((k) => k.startsWith(p)),
      delete: async (k) => {
        objects.delete(k);
      },
    };
    const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3a7d44' } })
      .jpeg()
      .toBuffer();
    await content.put('updates/u1/02-photo.jpg', new Uint8Array(jpeg), 'image/jpeg');
    await content.put('updates/u1/01-guide.pdf', Buffer.from('%PDF-1.7 guide'), 'application/pdf');
    const approved = { ...edited, status: 'approved' as const };
    const media = await prepareMedia([approved], {
      content,
      images: createSharpResizer,
      mediaUrl: 'https://media.igpn.example/',
      logger: silentLogger,
    });
    expect([...objects.keys()].filter((k) => k.startsWith('media/') && k.includes('guide'))).toEqual([]);
    const item = buildView(planSections([approved], new Date('2026-04-01T00:00:00Z')), {
      lang: 'en',
      archive: true,
      number: 8,
      compiledAt: new Date('2026-04-01T00:00:00Z'),
      timeZone: 'Asia/Shanghai',
      newsletterName: 'IGPN Gazette',
      archiveUrl: 'https://news.example.org/archive',
      postalAddress: 'IGPN Secretariat, Beijing',
      defaultLanguage: 'en',
      media,
    }).sections[0]?.items[0];
    expect(item?.files).toEqual([]);
    expect(item?.images.map((i) => i.alt)).toEqual(['Participants of the 2025 forum']);
  }, 30_000);
});
