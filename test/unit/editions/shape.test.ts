import { describe, expect, it } from 'vitest';
import { sampleUpdates } from '../../../bench/editions.ts';
import { createMjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';
import { TEMPLATE } from '../../../src/use-cases/editions/compile.ts';
import {
  buildView,
  deadlineZoneOf,
  editionPeriod,
  formatDeadline,
  formatEvent,
  planSections,
} from '../../../src/use-cases/editions/view-model.ts';
import { anUpdate } from './fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z');
const settings = {
  lang: 'en',
  archive: false,
  number: 8,
  compiledAt: now,
  timeZone: 'Asia/Shanghai',
  newsletterName: 'IGPN Gazette',
  archiveUrl: 'https://news.example.org/archive',
  postalAddress: 'IGPN Secretariat, Beijing',
  defaultLanguage: 'en',
};

describe('shape of an edition', () => {
  it('puts featured items first, orders items by hand and sections as asked, with custom sections', () => {
    const a = anUpdate({ title: 'a', receivedAt: '2026-03-01T00:00:00.000Z' });
    const b = anUpdate({ title: 'b', receivedAt: '2026-03-02T00:00:00.000Z' });
    const c = anUpdate({ title: 'c', receivedAt: '2026-03-03T00:00:00.000Z' });
    const p = anUpdate({ title: 'p', section: 'publications', kind: 'publication' });
    const plan = planSections([a, b, c, p], now, {
      featured: [p.updateId],
      order: [a.updateId],
      sections: [{ id: 'council', title: 'Council corner' }, { id: 'news' }],
      assign: { [b.updateId]: 'council' },
    });
    expect(plan.featured.map((u) => u.title)).toEqual(['p']);
    expect(plan.sections.map((s) => [s.id, s.updates.map((u) => u.title)])).toEqual([
      ['council', ['b']],
      ['news', ['a', 'c']],
    ]);
    const view = buildView(plan, {
      ...settings,
      shape: { title: 'Special edition', foreword: 'Hello.\n\nBye.' },
    });
    expect(view.sections[0]?.heading).toBe('Council corner');
    expect(view.edition.title).toBe('Special edition');
    expect(view.foreword).toEqual(['Hello.', 'Bye.']);
    expect(view.featured[0]?.title).toBe('p');
  });

  it('takes the quarter from the items: a 1 January compile of October–December content is Q4', () => {
    const jan1 = new Date('2026-01-01T01:00:00.000Z');
    const plan = planSections(
      [
        anUpdate({ receivedAt: '2025-11-10T00:00:00.000Z' }),
        anUpdate({ receivedAt: '2025-12-20T00:00:00.000Z' }),
      ],
      jan1,
    );
    expect(editionPeriod(plan, jan1, 'Asia/Shanghai')).toEqual({ year: 2025, quarter: 4 });
    expect(buildView(plan, { ...settings, compiledAt: jan1 }).edition).toMatchObject({
      year: 2025,
      quarter: 4,
    });
    expect(
      buildView(plan, { ...settings, compiledAt: jan1, shape: { period: { year: 2026, quarter: 1 } } })
        .edition,
    ).toMatchObject({ year: 2026, quarter: 1 });
  });
});

describe('text fidelity: dates', () => {
  it('shows a date-only deadline as the date the member wrote, not the instant in Beijing', () => {
    // "Deadline: 15 March 2026" from a member in Paris: the end of that day in CET.
    const u = { deadline: '2026-03-15T22:59:59.999Z' };
    const shown = formatDeadline(u.deadline, deadlineZoneOf(u, 'Asia/Shanghai'), 'en', 'Asia/Shanghai');
    expect(shown).toMatch(/March 15, 2026/);
    expect(shown).toContain('CET');
    expect(shown).not.toMatch(/16|06:59/);
  });

  it('shows an event at 17:00 CET in CET first and in the edition zone second', () => {
    const shown = formatEvent(
      { start: '2026-03-10T16:00:00.000Z', timeZone: 'Europe/Paris' },
      'en',
      'Asia/Shanghai',
    );
    expect(shown).toMatch(/17:00 CET \(.*00:00 UTC\+8\)$/);
  });
});

describe('languages', () => {
  it('marks member text in another language with its lang, not text in the variant language', () => {
    const u = anUpdate({ title: '绿色采购论坛', summary: '论坛将讨论标准互认。', language: 'zh' });
    const en = buildView(planSections([u], now), settings).sections[0]?.items[0];
    expect(en).toMatchObject({ title: '绿色采购论坛', lang: 'zh' });
    const zh = buildView(planSections([u], now), { ...settings, lang: 'zh' }).sections[0]?.items[0];
    expect(zh).toMatchObject({ lang: null });
  });
});

describe('size within Gmail’s limit', () => {
  it('trims long summaries in the mail with "read more" to the archive, keeps lists as lists', () => {
    const long = anUpdate({ summary: `${'Procurement criteria compared. '.repeat(30)}` });
    const agenda = anUpdate({ summary: 'Agenda:\n- Opening\n- Panel on eco-labels\n- Q&A' });
    const view = buildView(planSections([long, agenda], now), {
      ...settings,
      branding: { summaryLength: 200 },
    });
    const [first, second] = view.sections[0]?.items ?? [];
    const item = [first, second].find((i) => i?.id === long.updateId);
    expect(item?.read_more).toBe(`https://news.example.org/archive/editions/8/#${item?.anchor}`);
    expect(item?.paragraphs.join(' ').length).toBeLessThanOrEqual(200);
    const list = [first, second].find((i) => i?.id === agenda.updateId);
    expect(list?.blocks).toEqual([
      { text: 'Agenda:', has_list: false, list: [] },
      { text: null, has_list: true, list: ['Opening', 'Panel on eco-labels', 'Q&A'] },
    ]);
  });

  it('a 30-item edition is under 102 KB of minified HTML with real headings, lang and dark-mode styles', async () => {
    const renderer = await createMjmlRenderer();
    const view = buildView(planSections(sampleUpdates(30), now), settings);
    const out = await renderer.render(TEMPLATE, view as unknown as Record<string, unknown>);
    expect(Buffer.byteLength(out.html)).toBeLessThan(102 * 1024);
    expect(out.html).toMatch(/<h1[ >]/);
    expect(out.html).toMatch(/<h2[ >]/);
    expect(out.html).toContain('name="color-scheme"');
    expect(out.html).toMatch(/prefers-color-scheme: ?dark/);
    expect(Buffer.byteLength(out.html)).toBeGreaterThan(0);
    // Minified: what indentation is left sits in Outlook's conditional comments and the <style> blocks.
    const blanks = out.html.match(/\s/g)?.length ?? 0;
    expect(blanks / out.html.length).toBeLessThan(0.08);
  }, 30_000);
});
