import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  describeFilter,
  languageMatches,
  type Segment,
  SegmentFilter,
  type SegmentFilterInput,
  type Subscriber,
  scopeFilter,
  segmentMatcher,
  ValidationError,
} from '../../../src/domain/index.ts';
import { makeAudiences, makeSegmentAdmin } from '../../../src/use-cases/subscribers/segments.ts';

const sub = (email: string, over: Partial<Subscriber> = {}): Subscriber => ({
  subscriberId: `s_${email.replace(/[^a-z0-9]/gi, '')}`,
  email,
  name: '',
  language: 'en',
  timeZone: 'UTC',
  audiences: ['newsletter', 'reminders'],
  status: 'confirmed',
  source: 'import',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  softBounces: 0,
  ...over,
});

const MEMBERS = new Map([
  ['m_cec', { type: 'council', status: 'active', country: 'China' }],
  ['m_jgpn', { type: 'network', status: 'active', country: 'Japan' }],
  ['m_kepi', { type: 'council', status: 'active', country: 'Korea' }],
  ['m_old', { type: 'council', status: 'disabled', country: 'Germany' }],
  ['m_sec', { type: 'secretariat', status: 'active', country: 'China' }],
]);

const PEOPLE = [
  sub('li.wei@cec.example', { memberId: 'm_cec', memberRole: 'main-contact', language: 'zh-Hans' }),
  sub('chen@cec.example', { memberId: 'm_cec', memberRole: 'communications', language: 'zh-Hant' }),
  sub('tanaka@jgpn.example', { memberId: 'm_jgpn', memberRole: 'survey-focal-point', language: 'ja' }),
  sub('kim@kepi.example', { memberId: 'm_kepi', memberRole: 'main-contact', language: 'ko' }),
  sub('old@former.example', { memberId: 'm_old', memberRole: 'main-contact', language: 'de' }),
  sub('reader@uni.example', { audiences: ['newsletter'], country: 'Japan' }),
  sub('gone@uni.example', { status: 'unsubscribed' }),
  sub('pending@uni.example', { status: 'unconfirmed' }),
];

const select = (f: SegmentFilterInput) => {
  const m = segmentMatcher(SegmentFilter.parse(f), (id) => MEMBERS.get(id));
  return PEOPLE.filter(m).map((s) => s.email);
};

describe('segment evaluation', () => {
  it('without fields selects every confirmed subscriber, never the unconfirmed or unsubscribed', () => {
    expect(select({})).toEqual(PEOPLE.filter((p) => p.status === 'confirmed').map((p) => p.email));
    expect(select({ statuses: ['unsubscribed', 'unconfirmed'] })).toEqual([
      'gone@uni.example',
      'pending@uni.example',
    ]);
  });

  it('selects the contacts of active members of one type, leaving out a disabled member and non-members', () => {
    expect(select({ memberTypes: ['council'] })).toEqual([
      'li.wei@cec.example',
      'chen@cec.example',
      'kim@kepi.example',
    ]);
    expect(select({ members: true })).toHaveLength(4);
    expect(select({ memberTypes: ['secretariat'] })).toEqual([]);
  });

  it('ANDs fields and ORs the values inside one: council contacts in Korea, or main contacts anywhere', () => {
    expect(select({ memberTypes: ['council'], countries: ['korea'] })).toEqual(['kim@kepi.example']);
    expect(select({ roles: ['main-contact'] })).toEqual(['li.wei@cec.example', 'kim@kepi.example']);
    expect(select({ memberTypes: ['council', 'network'], roles: ['survey-focal-point'] })).toEqual([
      'tanaka@jgpn.example',
    ]);
    expect(select({ memberIds: ['m_cec'] })).toEqual(['li.wei@cec.example', 'chen@cec.example']);
  });

  it("uses the subscriber's own country, else the member organisation's", () => {
    expect(select({ countries: ['Japan'] })).toEqual(['tanaka@jgpn.example', 'reader@uni.example']);
  });

  it('matches a language by prefix: zh finds zh-Hans and zh-Hant, zh-Hant only itself', () => {
    expect(select({ languages: ['zh'] })).toEqual(['li.wei@cec.example', 'chen@cec.example']);
    expect(select({ languages: ['zh-Hant'] })).toEqual(['chen@cec.example']);
    expect(languageMatches('zh', 'zhx')).toBe(false);
  });

  it('keeps to the lists asked for (any of them)', () => {
    expect(select({ lists: ['reminders'], countries: ['Japan'] })).toEqual(['tanaka@jgpn.example']);
    expect(select({ lists: ['member-announcements'] })).toEqual([]);
  });

  it('reads filters as people type them and refuses unknown fields and values', () => {
    expect(SegmentFilter.parse({ memberTypes: 'council, network', lists: 'reminders' })).toEqual({
      memberTypes: ['council', 'network'],
      lists: ['reminders'],
      statuses: ['confirmed'],
    });
    expect(SegmentFilter.safeParse({ memberTypes: ['board'] }).success).toBe(false);
    expect(SegmentFilter.safeParse({ memberType: 'council' }).success).toBe(false);
    expect(describeFilter(SegmentFilter.parse({ lists: ['reminders'], memberTypes: ['council'] }))).toBe(
      'lists reminders; member type council',
    );
  });

  it('turns the deadline audience scopes into filters over the campaign list', () => {
    expect(scopeFilter({ kind: 'member-type', memberType: 'council' }, 'reminders')).toEqual({
      lists: ['reminders'],
      memberTypes: ['council'],
      statuses: ['confirmed'],
    });
    expect(scopeFilter({ kind: 'all', audience: 'newsletter' }, 'reminders').lists).toEqual(['newsletter']);
    const inline = SegmentFilter.parse({ countries: ['China'] });
    expect(scopeFilter({ kind: 'filter', filter: inline }, 'reminders').lists).toEqual(['reminders']);
  });
});

describe('audiences over the subscriber pages', () => {
  function world() {
    const reads: string[] = [];
    const audiences = makeAudiences({
      subscribers: {
        async *listByStatus(status) {
          const mine = PEOPLE.filter((p) => p.status === status);
          for (let i = 0; i < mine.length; i += 3) yield mine.slice(i, i + 3);
        },
      },
      members: {
        get: async (id) => {
          reads.push(id);
          return MEMBERS.get(id);
        },
      },
      segments: {
        get: async (id) =>
          id === 'council'
            ? {
                segmentId: 'council',
                name: 'Council contacts',
                description: '',
                filter: SegmentFilter.parse({ memberTypes: ['council'] }),
                createdAt: '2026-01-01T00:00:00.000Z',
                updatedAt: '2026-01-01T00:00:00.000Z',
                version: 1,
              }
            : undefined,
      },
    });
    return { audiences, reads };
  }

  it('reads each member organisation once, however many of its contacts there are', async () => {
    const { audiences, reads } = world();
    const p = await audiences.preview(SegmentFilter.parse({ memberTypes: ['council'] }), { sample: 2 });
    expect(p.count).toBe(3);
    expect(p.sample.map((s) => s.email)).toEqual(['li.wei@cec.example', 'chen@cec.example']);
    expect(p.byLanguage).toEqual({ 'zh-Hans': 1, 'zh-Hant': 1, ko: 1 });
    expect(reads.sort()).toEqual(['m_cec', 'm_jgpn', 'm_kepi', 'm_old']);
  });

  it('never reads the member registry for a filter that does not name members', async () => {
    const { audiences, reads } = world();
    expect((await audiences.preview(SegmentFilter.parse({ languages: ['ja'] }))).count).toBe(1);
    expect(reads).toEqual([]);
  });

  it('a send reaches confirmed subscribers only, whatever statuses the segment names', async () => {
    const { audiences } = world();
    const f = SegmentFilter.parse({ statuses: ['confirmed', 'unsubscribed'] });
    expect((await audiences.preview(f)).count).toBe(7);
    expect((await audiences.preview(f, { sendable: true })).count).toBe(6);
  });

  it('refuses an empty audience with what it asked for, and a segment that does not exist', async () => {
    const { audiences } = world();
    const err = await audiences
      .requireRecipients({ kind: 'member-type', memberType: 'secretariat' }, 'reminders', 'deadline "Survey"')
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(
      /audience of deadline "Survey" \(lists reminders; member type secretariat\) has no confirmed subscribers/,
    );
    await expect(
      audiences.requireRecipients({ kind: 'segment', segmentId: 'nope' }, 'reminders', 'x'),
    ).rejects.toThrow(/no segment nope/);
    const ok = await audiences.requireRecipients({ kind: 'segment', segmentId: 'council' }, 'reminders', 'x');
    expect(ok.count).toBe(3);
  });
});

describe('segment administration', () => {
  function admin(users: Record<string, string[]>) {
    const saved = new Map<string, Segment>();
    const repo = {
      list: async () => [...saved.values()],
      get: async (id: string) => saved.get(id),
      create: async (s: Segment) => {
        if (saved.has(s.segmentId)) return false;
        saved.set(s.segmentId, s);
        return true;
      },
      replace: async (s: Segment) => {
        saved.set(s.segmentId, s);
        return true;
      },
      delete: async (id: string) => void saved.delete(id),
    };
    const audiences = makeAudiences({
      subscribers: { async *listByStatus() {} },
      members: { get: async () => undefined },
      segments: repo,
    });
    const segments = makeSegmentAdmin({
      repo,
      audiences,
      clock: { now: () => new Date('2026-12-04T00:00:00Z'), sleep: async () => {} },
      inUse: async (id) => users[id] ?? [],
    });
    return { segments, saved };
  }

  it('refuses to delete an audience a live deadline still targets, naming it, and deletes an unused one', async () => {
    const { segments, saved } = admin({ council: ['deadline "Survey 2027"'] });
    await segments.create({ segmentId: 'council', name: 'Council', filter: { memberTypes: ['council'] } });
    await segments.create({ segmentId: 'spare', name: 'Spare', filter: { languages: ['ja'] } });
    const err = await segments.remove('council').catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/deadline "Survey 2027"/);
    expect(saved.has('council')).toBe(true);
    expect(await segments.remove('spare')).toEqual({ deleted: 'spare' });
    expect(saved.has('spare')).toBe(false);
  });
});
