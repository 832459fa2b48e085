import { describe, expect, it } from 'vitest';
import { parseWindowDate } from '../../../src/app/editions.ts';
import {
  absoluteUrl,
  buildView,
  cleanText,
  planSections,
  startOfPreviousQuarter,
} from '../../../src/use-cases/editions/view-model.ts';
import { anUpdate } from './fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z'); // 09:00 in Shanghai, first day of Q2

describe('sections', () => {
  it('groups into events ahead, member news, publications, deadlines in that order, dropping empty ones', () => {
    const plan = planSections(
      [
        anUpdate({ section: 'deadlines', kind: 'deadline', deadline: '2026-05-01T00:00:00.000Z' }),
        anUpdate({ section: 'news' }),
        anUpdate({ section: 'events', kind: 'event', event: { start: '2026-06-01T01:00:00.000Z' } }),
      ],
      now,
    );
    expect(plan.sections.map((s) => s.id)).toEqual(['events', 'news', 'deadlines']);
  });

  it('orders events and deadlines soonest first, news and publications newest first', () => {
    const late = anUpdate({ title: 'late', section: 'events', event: { start: '2026-09-01T00:00:00.000Z' } });
    const soon = anUpdate({ title: 'soon', section: 'events', event: { start: '2026-04-20T00:00:00.000Z' } });
    const undated = anUpdate({ title: 'undated', section: 'events' });
    const old = anUpdate({ title: 'old', receivedAt: '2026-01-05T00:00:00.000Z' });
    const fresh = anUpdate({ title: 'fresh', receivedAt: '2026-03-20T00:00:00.000Z' });
    const d2 = anUpdate({ title: 'd2', section: 'deadlines', deadline: '2026-07-01T00:00:00.000Z' });
    const d1 = anUpdate({ title: 'd1', section: 'deadlines', deadline: '2026-04-15T00:00:00.000Z' });
    const plan = planSections([late, old, d2, undated, soon, fresh, d1], now);
    const titles = Object.fromEntries(plan.sections.map((s) => [s.id, s.updates.map((u) => u.title)]));
    expect(titles).toEqual({
      events: ['soon', 'late', 'undated'],
      news: ['fresh', 'old'],
      deadlines: ['d1', 'd2'],
    });
  });

  it('moves an event that is already over to member news and leaves out a deadline that has passed', () => {
    const over = anUpdate({ title: 'over', section: 'events', event: { start: '2026-03-01T00:00:00.000Z' } });
    const passed = anUpdate({ title: 'passed', section: 'deadlines', deadline: '2026-03-31T00:00:00.000Z' });
    const plan = planSections([over, passed], now);
    expect(plan.sections).toEqual([{ id: 'news', updates: [over] }]);
    expect(plan.skipped).toEqual([expect.objectContaining({ updateId: passed.updateId, title: 'passed' })]);
  });
});

describe('template data', () => {
  const settings = {
    lang: 'zh',
    archive: false,
    number: 8,
    compiledAt: now,
    timeZone: 'Asia/Shanghai',
    newsletterName: 'IGPN Gazette',
    archiveUrl: 'https://news.example.org/archive',
    postalAddress: 'IGPN Secretariat, Beijing',
    defaultLanguage: 'en',
  };

  it('keeps only absolute http(s) links and turns member text into clean paragraphs', () => {
    const u = anUpdate({
      summary: 'First  paragraph\nstill first.\n\n\nSecond\u0007 paragraph.',
      links: [
        { url: 'javascript:alert(1)' },
        { url: 'https://example.org/report.pdf', label: 'Report' },
        { url: 'https://user:pw@example.org/x' },
        { url: 'http://example.com/more' },
      ],
    });
    const view = buildView(planSections([u], now), settings);
    const item = view.sections[0]?.items[0];
    expect(item?.url).toBe('https://example.org/report.pdf');
    expect(item?.links).toEqual([{ url: 'http://example.com/more', label: 'example.com' }]);
    expect(item?.paragraphs).toEqual(['First paragraph still first.', 'Second paragraph.']);
  });

  it('falls back to an excerpt of the body when there is no summary', () => {
    const body = `${'这是一个很长的句子。'.repeat(80)}`;
    const item = buildView(planSections([anUpdate({ summary: '', bodyText: body })], now), settings)
      .sections[0]?.items[0];
    expect(item?.paragraphs.join('').length).toBeLessThanOrEqual(600);
    expect(item?.paragraphs.join('')).toMatch(/。$/);
  });

  it('formats event times in the language and the event time zone, and links the archive page per language', () => {
    const u = anUpdate({
      section: 'events',
      event: {
        start: '2026-05-12T01:00:00.000Z',
        end: '2026-05-12T09:30:00.000Z',
        timeZone: 'Asia/Tokyo',
        location: '東京',
      },
    });
    const view = buildView(planSections([u], now), settings);
    // The member's zone first (JST), then the edition's (Asia/Shanghai, UTC+8).
    expect(view.sections[0]?.items[0]?.when).toMatch(
      /^2026\D+5\D+12\D.*10:00\D+18:30 JST \(.*09:00\D+17:30 UTC\+8\)$/,
    );
    expect(view.edition).toMatchObject({
      number: 8,
      year: 2026,
      quarter: 1, // the item was received in February: the edition reports on Q1, not the compile's Q2
      web_url: 'https://news.example.org/archive/editions/8/zh.html',
    });
    expect(buildView(planSections([], now), { ...settings, lang: 'en' }).edition.web_url).toBe(
      'https://news.example.org/archive/editions/8/',
    );
  });

  it('cleans text: no control characters, bounded length, no placeholder look-alikes', () => {
    expect(cleanText('a\u0000b {{name}}', 100)).toBe('ab { {name}}');
    expect(cleanText('x'.repeat(20), 10)).toHaveLength(10);
    expect(absoluteUrl('/relative/path')).toBeNull();
    expect(absoluteUrl('mailto:a@b.org')).toBeNull();
  });

  it('never cuts an emoji in half when shortening a title or an excerpt', () => {
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (let pad = 0; pad < 4; pad++) {
      const title = cleanText(`${'a'.repeat(pad)}${'🌱'.repeat(20)}`, 10);
      expect(title).not.toMatch(lone);
      const body = `${'b'.repeat(pad)}${'🌍'.repeat(400)}`;
      const item = buildView(planSections([anUpdate({ summary: '', bodyText: body })], now), settings)
        .sections[0]?.items[0];
      expect(item?.paragraphs.join('')).not.toMatch(lone);
    }
  });

  it('leaves no placeholder look-alike behind an odd run of braces', () => {
    for (const s of ['{{{unsubscribe_url}}', '{{{{{email}}', 'a {{{\n{{name}}'])
      expect(cleanText(s, 100, true)).not.toMatch(/\{\{/);
  });
});

describe('compile window', () => {
  it('defaults to the start of the previous quarter in the edition time zone', () => {
    expect(startOfPreviousQuarter(now, 'Asia/Shanghai').toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(startOfPreviousQuarter(new Date('2026-02-15T00:00:00Z'), 'UTC').toISOString()).toBe(
      '2025-10-01T00:00:00.000Z',
    );
  });

  it('reads a date-only end as inclusive of that whole day', () => {
    expect(parseWindowDate('2026-03-31', 'Asia/Shanghai', 'end').toISOString()).toBe(
      '2026-03-31T16:00:00.000Z',
    );
    expect(parseWindowDate('2026-01-01', 'Asia/Shanghai', 'start').toISOString()).toBe(
      '2025-12-31T16:00:00.000Z',
    );
    expect(parseWindowDate('2026-01-01T00:00:00Z', 'Asia/Shanghai', 'start').toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(() => parseWindowDate('last tuesday', 'UTC', 'start')).toThrow(/not a date/);
  });
});

describe('dates in a large edition', () => {
  it('builds a date format per language and zone, not per date (300 items take milliseconds)', () => {
    const updates = Array.from({ length: 60 }, (_, i) =>
      i % 2
        ? anUpdate({
            section: 'events',
            kind: 'event',
            event: {
              start: `2026-05-${String((i % 27) + 1).padStart(2, '0')}T15:00:00.000Z`,
              timeZone: 'Europe/Paris',
            },
          })
        : anUpdate({
            section: 'deadlines',
            kind: 'deadline',
            deadline: `2026-06-${String((i % 27) + 1).padStart(2, '0')}T15:59:59.999Z`,
          }),
    );
    const plan = planSections(updates, now);
    const settings = {
      number: 8,
      compiledAt: now,
      timeZone: 'Asia/Shanghai',
      newsletterName: 'IGPN Gazette',
      archiveUrl: 'https://news.igpn.example/archive',
      postalAddress: 'IGPN Secretariat',
      defaultLanguage: 'en',
      archive: false,
    };
    const real = Intl.DateTimeFormat;
    const before = buildView(plan, { ...settings, lang: 'en' }); // dates as formatted without counting
    let built = 0;
    Intl.DateTimeFormat = new Proxy(real, {
      construct(target, args) {
        built++;
        return Reflect.construct(target, args);
      },
    });
    try {
      const en = buildView(plan, { ...settings, lang: 'en' });
      const zh = buildView(plan, { ...settings, lang: 'zh' });
      expect(en).toEqual(before);
      expect(zh.sections.flatMap((s) => s.items).every((i) => i.when || i.deadline)).toBe(true);
    } finally {
      Intl.DateTimeFormat = real;
    }
    // 120 dates in two languages: a handful of formats (the edition date, day and time per zone and language).
    expect(built).toBeLessThan(12);
  });
});
