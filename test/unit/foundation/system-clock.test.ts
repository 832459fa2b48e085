import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/ports/clock.js';

describe('systemClock.sleep', () => {
  it('waits for a delay longer than a 32-bit timer allows instead of firing at once', async () => {
    // Node clamps a setTimeout over 2^31-1 ms to 1 ms: a far-off delivery (a reader's morning a month
    // ahead) would fire at once and spin.
    const long = systemClock.sleep(2 ** 31 + 1_000).then(() => 'slept');
    const soon = new Promise((r) => setTimeout(() => r('still waiting'), 100));
    expect(await Promise.race([long, soon])).toBe('still waiting');
  });

  it('still resolves short delays', async () => {
    const t0 = Date.now();
    await systemClock.sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
  });
});
