import type { Clock } from '../../../src/ports/clock.ts';
import type { SentMail } from '../../support/local-stack.ts';

/** A clock tests move by hand (token expiry, resend windows, rate-limit refills). */
export function manualClock(start = new Date()): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

export const DAY = 86_400_000;

export function mailsTo(all: SentMail[], address: string): SentMail[] {
  return all.filter((m) => m.destination.to.includes(address));
}

export function linkIn(mail: SentMail | undefined, path: string): string {
  const m = new RegExp(`https?://[^\\s"<>]+${path.replace('/', '\\/')}\\?token=[A-Za-z0-9_.-]+`).exec(
    mail?.body.text ?? '',
  );
  if (!m) throw new Error(`no ${path} link in ${JSON.stringify(mail?.body.text)}`);
  return m[0];
}

export const form = (data: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(data)) for (const one of [v].flat()) p.append(k, one);
  return { body: p.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
};

export async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}
