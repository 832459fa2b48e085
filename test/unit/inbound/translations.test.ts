/**
 * Issue 14, each reader's language: item text stays in the member's language unless a moderator adds a
 * translation for a language, which moderation stores and the edition variant of that language shows.
 */
import { describe, expect, it } from 'vitest';
import { Update } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { buildView, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { makeModeration } from '../../../src/use-cases/inbound/moderation.ts';
import { MemoryUpdates } from './fakes.ts';

const japanese = (): Update =>
  Update.parse({
    updateId: 'u_ja',
    messageId: 'm-ja',
    memberId: 'm_gpnj',
    organisation: 'GPN Japan',
    sender: 'info@gpn.example',
    receivedAt: '2026-01-10T10:00:00.000Z',
    status: 'pending',
    title: 'グリーン購入セミナー',
    summary: '持続可能な調達の最新事例を紹介します。',
    bodyHtml: '<p>持続可能な調達の最新事例を紹介します。</p>',
    bodyText: '持続可能な調達の最新事例を紹介します。',
    kind: 'news',
    section: 'news',
    language: 'ja',
    rawKey: 'inbound/m-ja',
    audit: [{ at: '2026-01-10T10:00:00.000Z', actor: 'system:ingest', action: 'received' }],
  });

const NOW = new Date('2026-04-01T00:00:00Z');
const itemIn = (u: Update, lang: string) =>
  buildView(planSections([u], NOW), {
    lang,
    archive: false,
    number: 8,
    compiledAt: NOW,
    timeZone: 'Asia/Shanghai',
    newsletterName: 'IGPN Gazette',
    archiveUrl: 'https://news.example.org/archive',
    postalAddress: 'IGPN Secretariat, Beijing',
    defaultLanguage: 'en',
  }).sections[0]?.items[0];

async function setup() {
  const updates = new MemoryUpdates();
  await updates.create(japanese());
  return { updates, moderation: makeModeration({ updates, clock: systemClock }) };
}

describe('moderator translations', () => {
  it('adds, amends and removes a translation per language, in the audit trail, status unchanged', async () => {
    const { moderation } = await setup();
    let u = await moderation.edit(
      'u_ja',
      {
        translations: {
          en: { title: 'Green purchasing seminar', summary: 'Recent cases of sustainable procurement.' },
          zh: { title: '绿色采购研讨会' },
        },
      },
      'editor@igpn.example',
    );
    expect(u.status).toBe('pending');
    expect(u.translations?.zh).toEqual({ title: '绿色采购研讨会' });
    expect(u.audit.at(-1)?.note).toContain('translations');
    u = await moderation.edit(
      'u_ja',
      { translations: { zh: { summary: '介绍可持续采购的最新案例。' }, en: null } },
      'editor@igpn.example',
    );
    expect(u.translations).toEqual({
      zh: { title: '绿色采购研讨会', summary: '介绍可持续采购的最新案例。' },
    });
    // The member's own text is untouched.
    expect([u.title, u.summary]).toEqual(['グリーン購入セミナー', '持続可能な調達の最新事例を紹介します。']);
  });

  it('refuses an empty translation or a language that is not a tag', async () => {
    const { moderation } = await setup();
    await expect(moderation.edit('u_ja', { translations: { zh: {} } }, 'editor')).rejects.toThrow(
      /title or a summary/,
    );
    await expect(
      moderation.edit('u_ja', { translations: { Chinese: { title: 'x' } } } as never, 'editor'),
    ).rejects.toThrow(/language tag/);
  });

  it('shows the translation in its variant (and its sub-tags’), the original elsewhere, lang only where untranslated', async () => {
    const u: Update = {
      ...japanese(),
      translations: { zh: { title: '绿色采购研讨会', summary: '介绍可持续采购的最新案例。' } },
    };
    const zh = itemIn(u, 'zh');
    expect([zh?.title, zh?.paragraphs, zh?.lang]).toEqual([
      '绿色采购研讨会',
      ['介绍可持续采购的最新案例。'],
      null,
    ]);
    // A zh-Hant reader with no zh-Hant translation gets the zh one; English readers get the original.
    expect(itemIn(u, 'zh-Hant')?.title).toBe('绿色采购研讨会');
    const en = itemIn(u, 'en');
    expect([en?.title, en?.lang]).toEqual(['グリーン購入セミナー', 'ja']);
    // A title-only translation leaves the summary in Japanese: the item keeps its lang attribute.
    const titleOnly = itemIn({ ...japanese(), translations: { ko: { title: '녹색구매 세미나' } } }, 'ko');
    expect([titleOnly?.title, titleOnly?.paragraphs, titleOnly?.lang]).toEqual([
      '녹색구매 세미나',
      ['持続可能な調達の最新事例を紹介します。'],
      'ja',
    ]);
  });
});
