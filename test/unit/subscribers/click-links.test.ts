import { describe, expect, it } from 'vitest';
import { signToken } from '../../../src/domain/tokens.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { StatsRepo } from '../../../src/ports/stats.ts';
import type { EventLedger } from '../../../src/ports/subscribers.ts';
import {
  MAX_LINKS_PER_CAMPAIGN,
  normaliseClickLink,
  OTHER_LINK,
} from '../../../src/use-cases/subscribers/click-links.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';
import { makeRecordSesEvent } from '../../../src/use-cases/subscribers/ses-events.ts';
import { sesEvent } from './ses-fixtures.ts';

const token = signToken('secret', 'unsubscribe', { sub: 'sub_1234', exp: 2_000_000_000, scope: 'all' });

describe('normaliseClickLink: one counter per link, never per reader', () => {
  it('keeps an ordinary article link as it is', () => {
    expect(normaliseClickLink('https://igpn.example/news/green-procurement-2026')).toBe(
      'https://igpn.example/news/green-procurement-2026',
    );
    expect(normaliseClickLink('https://igpn.example/events?year=2026&utm_source=gazette')).toBe(
      'https://igpn.example/events?year=2026&utm_source=gazette',
    );
    expect(normaliseClickLink('https://www.example.cn/论坛/2026')).toBe(
      'https://www.example.cn/%E8%AE%BA%E5%9D%9B/2026',
    );
  });

  it("drops the whole query of Gazette's own unsubscribe, preferences, confirm and erase links", () => {
    for (const page of ['unsubscribe', 'preferences', 'confirm', 'erase']) {
      const link = normaliseClickLink(`https://api.igpn.example/v1/${page}?token=${token}&scope=all`);
      expect(link).toBe(`https://api.igpn.example/v1/${page}`);
    }
  });

  it('drops query parameters named like a secret or an address, whatever the site', () => {
    expect(
      normaliseClickLink(
        'https://partner.example/register?event=forum&token=abc&email=a%40b.org&mc_eid=42&sig=x&page=2',
      ),
    ).toBe('https://partner.example/register?event=forum&page=2');
  });

  it('drops a parameter whose value is a token, a UUID, a long hash or an address, under any name', () => {
    const url = new URL('https://partner.example/r');
    url.searchParams.set('id', 'forum-2026');
    url.searchParams.set('x', token);
    url.searchParams.set('ref', '3f2a9c1e-8b7d-4c6a-9e1f-0a1b2c3d4e5f');
    url.searchParams.set('h', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3');
    url.searchParams.set('who', 'reader@example.org');
    expect(normaliseClickLink(url.href)).toBe('https://partner.example/r?id=forum-2026');
  });

  it('replaces a path segment that is a token, and strips credentials and the fragment', () => {
    expect(normaliseClickLink(`https://u:p@igpn.example/u/${token}/view#top`)).toBe(
      'https://igpn.example/u/:token/view',
    );
    expect(normaliseClickLink('https://igpn.example/a/green-public-procurement-forum-announcement')).toBe(
      'https://igpn.example/a/green-public-procurement-forum-announcement',
    );
  });

  it('never stores the token of any Gazette link it is given', () => {
    for (const raw of [
      `https://api.igpn.example/v1/unsubscribe?token=${token}`,
      `https://igpn.example/p?t=${token}`,
      `https://igpn.example/${token}`,
      `https://igpn.example/x?next=${encodeURIComponent(`https://api.igpn.example/v1/preferences?token=${token}`)}`,
    ]) {
      const link = normaliseClickLink(raw);
      expect(link).not.toContain(token.split('.')[1]);
      expect(decodeURIComponent(link)).not.toContain(token.split('.')[0]);
    }
  });

  it('counts what is not an http(s) link, unparseable or absurdly long under "other"', () => {
    expect(normaliseClickLink(undefined)).toBe(OTHER_LINK);
    expect(normaliseClickLink('not a url')).toBe(OTHER_LINK);
    expect(normaliseClickLink('mailto:secretariat@igpn.example')).toBe(OTHER_LINK);
    expect(normaliseClickLink('javascript:alert(1)')).toBe(OTHER_LINK);
    expect(normaliseClickLink(`https://igpn.example/${'a-'.repeat(500)}`)).toBe(OTHER_LINK);
    // A long query alone is dropped, the link is kept.
    expect(normaliseClickLink(`https://igpn.example/news?q=${'a+b+'.repeat(300)}`)).toBe(
      'https://igpn.example/news',
    );
  });
});

describe('recordSesEvent: a Click counts its normalised link, capped per campaign', () => {
  const setup = () => {
    const calls: { campaign: string; link: string; max: number; overflow: string }[] = [];
    const claimed = new Set<string>();
    const increments: Record<string, number>[] = [];
    const stats: StatsRepo = {
      increment: async (_campaign, counts) => {
        increments.push(counts as Record<string, number>);
      },
      get: async () => {
        throw new Error('unused');
      },
      addLinkClick: async (campaign, link, max, overflow) => {
        calls.push({ campaign, link, max, overflow });
        return link;
      },
    };
    const ledger: EventLedger = {
      claim: async (k) => !claimed.has(k) && Boolean(claimed.add(k)),
      release: async (k) => {
        claimed.delete(k);
      },
    };
    const deps = {
      stats,
      ledger,
      clock: { now: () => new Date('2026-03-02T10:00:00Z'), sleep: async () => {} },
      logger: silentLogger,
      tokenSecret: async () => 'a-token-secret-of-at-least-32-characters',
      config: { GAZETTE_SOFT_BOUNCE_THRESHOLD: 3 },
    } as unknown as SubscribersDeps;
    return { calls, stats, increments, record: makeRecordSesEvent(deps) };
  };
  const click = (link: string) => {
    const e = sesEvent('click', { campaign: 'edition_8' }) as { click: { link: string } };
    e.click.link = link;
    return e;
  };

  it('hands the repository the link without its token, the cap and the overflow bucket', async () => {
    const { calls, record } = setup();
    const r = await record({
      key: 'sns-1',
      message: click(`https://api.igpn.example/v1/unsubscribe?token=${token}`),
    });
    expect(r.actions).toEqual(['stats:clicked', 'stats:link']);
    expect(calls).toEqual([
      {
        campaign: 'edition#8',
        link: 'https://api.igpn.example/v1/unsubscribe',
        max: MAX_LINKS_PER_CAMPAIGN,
        overflow: OTHER_LINK,
      },
    ]);
    expect(MAX_LINKS_PER_CAMPAIGN).toBe(200);
  });

  it('counts a redelivered click (same SNS MessageId) once', async () => {
    const { calls, record } = setup();
    await record({ key: 'sns-2', message: click('https://igpn.example/news/a') });
    const again = await record({ key: 'sns-2', message: click('https://igpn.example/news/a') });
    expect(again.duplicate).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('keeps the click counted once when the per-link count fails (no release, so no redelivery counts it again)', async () => {
    const { record, stats, increments } = setup();
    stats.addLinkClick = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const r = await record({ key: 'sns-3', message: click('https://igpn.example/news/b') });
    expect(r.actions).toEqual(['stats:clicked', 'stats:link:failed']);
    const again = await record({ key: 'sns-3', message: click('https://igpn.example/news/b') });
    expect(again.duplicate).toBe(true);
    expect(increments).toEqual([{ clicked: 1 }]);
  });
});
