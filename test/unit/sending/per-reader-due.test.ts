/**
 * A per-reader send reaches each zone at its readers' hour; once an approver calls off the later hours,
 * nothing after that point is due any more: a resume, a rerun or the finish check's top-up that re-plans
 * the send must not reach them (review of the scheduled send, issue 14).
 */
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/domain/index.ts';
import { makeEditionAudience } from '../../../src/use-cases/editions/schedule-audience.ts';

const reader = (email: string, timeZone: string) =>
  ({
    subscriberId: email,
    email,
    timeZone,
    status: 'confirmed',
    audiences: ['newsletter'],
  }) as unknown as Subscriber;
const READERS = [
  reader('li@cec.example', 'Asia/Shanghai'),
  reader('anna@uba.example', 'Europe/Berlin'),
  reader('joe@epa.example', 'America/New_York'),
];

const audienceAt = (now: string) =>
  makeEditionAudience({
    audiences: {
      select: async function* () {
        yield READERS;
      },
    },
    segments: { get: async () => undefined },
    suppressions: {} as never,
    clock: { now: () => new Date(now), sleep: async () => {} },
  });

const due = async (now: string, stopped?: string) => {
  const out: string[] = [];
  const edition = {
    audience: 'newsletter' as const,
    schedule: {
      at: '2027-01-05T01:00:00.000Z',
      localTime: '2027-01-05T09:00',
      timeZone: 'Asia/Shanghai',
      scheduleName: 'gz-edition-send-8',
      scheduledBy: 'alice',
      scheduledAt: '2027-01-02T00:00:00.000Z',
      perReader: true,
      ...(stopped ? { stopped: { at: stopped, by: 'alice' } } : {}),
    },
  };
  for await (const page of audienceAt(now).dueRecipients(edition as never))
    out.push(...page.map((s) => s.email));
  return out;
};

describe('who a per-reader send reaches', () => {
  it('reaches each zone once its readers’ 09:00 has come', async () => {
    expect(await due('2027-01-05T02:00:00Z')).toEqual(['li@cec.example']);
    expect(await due('2027-01-05T09:00:00Z')).toEqual(['li@cec.example', 'anna@uba.example']);
    expect(await due('2027-01-05T15:00:00Z')).toHaveLength(3);
  });

  it('after the later hours were called off, a re-plan the next day reaches only those due before that', async () => {
    // Called off at 03:00 UTC, after Shanghai's 09:00 (01:00 UTC), before Berlin's (08:00 UTC).
    expect(await due('2027-01-06T12:00:00Z', '2027-01-05T03:00:00.000Z')).toEqual(['li@cec.example']);
  });
});
