/**
 * A stand-in for SES's sending-rate limit: an HTTP proxy in front of aws-ses-v2-local that
 *  - enforces a token bucket on SendEmail at a configured rate (on an injectable clock),
 *  - answers over-rate requests the way SES does (HTTP 429, x-amzn-errortype: TooManyRequestsException,
 *    JSON body, alternating "Maximum sending rate exceeded." / "Too many requests.") so the real AWS SDK
 *    retry path and Gazette's classification both run,
 *  - answers GetAccount with the configured MaxSendRate,
 *  - injects faults: random throttles, SES 5xx (never forwarded: SES did not take the message), and
 *    outages (every SendEmail answered 503 for a window of clock time).
 * Used by the fault-injection tests and `npm run bench`.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../src/ports/clock.ts';

export interface ProxyFaults {
  /** Fraction of SendEmail calls answered 429 regardless of the bucket. */
  throttle?: number;
  /** Fraction of SendEmail calls answered 500 InternalFailure (not forwarded). */
  serverError?: number;
}

export interface ThrottlingProxyOptions {
  /** SendEmail calls per second SES allows; also what GetAccount reports. */
  rate: number;
  /** Bucket capacity (calls allowed back to back). Default: one second's worth, as SES measures per second. */
  burst?: number;
  clock?: Clock;
  /** aws-ses-v2-local base URL; may be set later with setTarget (startTestStack gives it to a callback). */
  target?: string;
  faults?: ProxyFaults;
  random?: () => number;
}

export interface ProxyStats {
  /** SendEmail calls forwarded to SES and accepted. */
  forwarded: number;
  /** 429s because the bucket was empty. */
  overRate: number;
  /** 429s injected at random. */
  injectedThrottles: number;
  /** 5xx injected at random. */
  serverErrors: number;
  /** 503s during an outage. */
  outageErrors: number;
  accountCalls: number;
  /** Clock times (ms) of accepted sends, for achieved-rate measurements. */
  sendTimes: number[];
}

export interface ThrottlingProxy {
  url: string;
  stats: ProxyStats;
  /** Every 429 the proxy answered (each one costs the client a retry). */
  readonly throttles: number;
  setTarget(url: string): void;
  /** For `sesEndpoint` of the local stack: put the proxy in front of the real SES stand-in. */
  inFrontOf(real: string): string;
  setFaults(f: ProxyFaults): void;
  /** Answer every SendEmail with 503 until clock time `untilMs`. */
  outageUntil(untilMs: number): void;
  /** Called after each accepted send (e.g. to start an outage after N sends). */
  onSent?: (count: number) => void;
  close(): Promise<void>;
}

const SEND_PATH = '/v2/email/outbound-emails';
const ACCOUNT_PATH = '/v2/email/account';

export async function startThrottlingProxy(opts: ThrottlingProxyOptions): Promise<ThrottlingProxy> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const burst = opts.burst ?? Math.max(1, opts.rate);
  let target = opts.target;
  let faults: ProxyFaults = { ...opts.faults };
  let outageEnd = 0;
  let tokens = burst;
  let last = clock.now().getTime();
  let flip = false;
  const stats: ProxyStats = {
    forwarded: 0,
    overRate: 0,
    injectedThrottles: 0,
    serverErrors: 0,
    outageErrors: 0,
    accountCalls: 0,
    sendTimes: [],
  };

  const take = () => {
    const now = clock.now().getTime();
    tokens = Math.min(burst, tokens + ((now - last) * opts.rate) / 1000);
    last = Math.max(last, now);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  };

  const error = (status: number, type: string, message: string) => ({
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'proxy' },
    body: JSON.stringify({ message }),
  });
  const throttle = () => {
    flip = !flip;
    return error(
      429,
      'TooManyRequestsException',
      flip ? 'Maximum sending rate exceeded.' : 'Too many requests.',
    );
  };

  const proxy: ThrottlingProxy = {
    url: '',
    stats,
    get throttles() {
      return stats.overRate + stats.injectedThrottles;
    },
    setTarget(url) {
      target = url;
    },
    inFrontOf(real) {
      target = real;
      return proxy.url;
    },
    setFaults(f) {
      faults = { ...f };
    },
    outageUntil(untilMs) {
      outageEnd = untilMs;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0];
      const reply = (r: { status: number; headers: Record<string, string>; body: string }) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      };
      if (req.method === 'GET' && path === ACCOUNT_PATH) {
        stats.accountCalls++;
        return reply({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            DedicatedIpAutoWarmupEnabled: false,
            EnforcementStatus: 'HEALTHY',
            ProductionAccessEnabled: true,
            SendingEnabled: true,
            SendQuota: { Max24HourSend: 10_000_000, MaxSendRate: opts.rate, SentLast24Hours: 0 },
          }),
        });
      }
      if (req.method === 'POST' && path === SEND_PATH) {
        if (clock.now().getTime() < outageEnd) {
          stats.outageErrors++;
          return reply(error(503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.'));
        }
        // Two draws per request whatever the outcome: with a seeded generator the n-th request's fate is fixed.
        const [e, t] = [random(), random()];
        if (faults.serverError && e < faults.serverError) {
          stats.serverErrors++;
          return reply(error(500, 'InternalFailure', 'We encountered an internal error. Please try again.'));
        }
        if (faults.throttle && t < faults.throttle) {
          stats.injectedThrottles++;
          return reply(throttle());
        }
        if (!take()) {
          stats.overRate++;
          return reply(throttle());
        }
      }
      if (!target) return reply(error(502, 'BadGateway', 'proxy has no target'));
      const t = new URL(target);
      const upstream = request(
        {
          host: t.hostname,
          port: t.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: t.host },
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            if (req.method === 'POST' && path === SEND_PATH && (up.statusCode ?? 500) < 300) {
              stats.forwarded++;
              stats.sendTimes.push(clock.now().getTime());
              proxy.onSent?.(stats.forwarded);
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      upstream.on('error', (e) => reply(error(502, 'BadGateway', String(e))));
      upstream.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
