/** Time as a port, so tests can freeze it and the send engine can be run on simulated time. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

// setTimeout clamps anything above 2^31-1 ms (~24.8 days) to 1 ms, so longer sleeps go in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const step = Math.min(ms, MAX_TIMER_MS);
    setTimeout(() => (ms > step ? sleepFor(ms - step).then(resolve) : resolve()), step);
  });

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => sleepFor(Math.max(0, ms)),
};
