import { describe, expect, it } from 'vitest';
import { Subscriber } from '../../../src/domain/subscriber.ts';
import {
  esc,
  preferencesPage,
  subscribePage,
  unsubscribePage,
} from '../../../src/use-cases/subscribers/pages.ts';

const sub = Subscriber.parse({
  subscriberId: 's_1',
  email: 'x@example.org',
  name: '"><script>alert(1)</script>',
  language: 'zh-Hans',
  timeZone: 'Asia/Shanghai',
  audiences: ['reminders'],
  status: 'confirmed',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('public pages', () => {
  it('escape every dynamic value', () => {
    expect(esc(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const html = preferencesPage('zh', { name: 'IGPN <Gazette>' }, sub, true);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('IGPN &lt;Gazette&gt;');
  });

  it('are CJK-safe and self-contained: UTF-8, lang attribute, no scripts or external assets', () => {
    const html = subscribePage('zh', { name: '绿色采购通讯' });
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-Hans">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('订阅 绿色采购通讯');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });

  it('mark the subscriber’s lists and the honeypot, and post back to the same URL', () => {
    const prefs = preferencesPage('en', { name: 'G' }, sub, false);
    expect(prefs).toContain('value="reminders" checked');
    expect(prefs).not.toContain('value="newsletter" checked');
    expect(prefs).not.toMatch(/action=/);
    expect(subscribePage('en', { name: 'G' })).toMatch(
      /class="hp" aria-hidden="true">.*\n<input id="website"/,
    );
    expect(unsubscribePage('en', { name: 'G' }, 'x@example.org', 'the newsletter')).toContain(
      'Stop sending the newsletter to x@example.org?',
    );
  });
});
