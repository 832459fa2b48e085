/**
 * The scale benchmark's stand-ins, in a child process of their own (bench/send.ts forks it), so the bench
 * process holds what a send worker holds and its RSS and CPU are the engine's:
 *   - the in-memory DynamoDB stand-in (test/support/memory-dynamodb.ts) over HTTP on loopback;
 *   - SES: SendEmail under a token bucket at `rate` with SES-shaped 429s and GetAccount with the rate, as
 *     test/support/throttling-proxy.ts answers, but answering accepted sends itself and counting them per
 *     recipient (the proxy forwards to aws-ses-v2-local, which keeps every whole message: 100,000 would be
 *     ~500 MB, and the second hop doubles this process's CPU).
 * Protocol over IPC: the parent sends { rate }; the child answers { ready, dynamodb, ses }; on
 * { type: 'stats' } it answers what the parent measures against; on { type: 'stop' } it exits.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryDynamoDB } from '../test/support/memory-dynamodb.ts';

export interface StandInStats {
  /** Accepted SendEmail calls per recipient address. */
  delivered: [string, number][];
  sendTimes: number[];
  throttles: number;
  cpuMs: number;
  peakRssMb: number;
  items: number;
  requests: Record<string, number>;
}

async function main() {
  const { rate } = await new Promise<{ rate: number }>((r) => process.once('message', (m) => r(m as never)));
  const dynamo = new MemoryDynamoDB();
  const db = await dynamo.listen();
  const delivered = new Map<string, number>();
  const sendTimes: number[] = [];
  let throttles = 0;
  // SES's per-second rate as the throttling proxy applies it (token bucket, one second's worth of burst),
  // answered here directly: no second hop to a mail store.
  let tokens = rate;
  let last = Date.now();
  const take = () => {
    const now = Date.now();
    tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
    last = Math.max(last, now);
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'bench', ...headers });
    res.end(JSON.stringify(body));
  };
  const ses = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/v2/email/account')
        return json(res, 200, {
          EnforcementStatus: 'HEALTHY',
          ProductionAccessEnabled: true,
          SendingEnabled: true,
          SendQuota: { Max24HourSend: 10_000_000, MaxSendRate: rate, SentLast24Hours: 0 },
        });
      if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
        if (!take()) {
          throttles++;
          return json(
            res,
            429,
            { message: 'Maximum sending rate exceeded.' },
            { 'x-amzn-errortype': 'TooManyRequestsException' },
          );
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Destination?: { ToAddresses?: string[] };
        };
        for (const to of body.Destination?.ToAddresses ?? []) delivered.set(to, (delivered.get(to) ?? 0) + 1);
        sendTimes.push(Date.now());
        return json(res, 200, { MessageId: randomUUID() });
      }
      json(res, 404, { message: 'not found' });
    });
  });
  ses.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => ses.listen(0, '127.0.0.1', () => r()));
  let peakRss = process.memoryUsage().rss;
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200).unref();
  const cpu0 = process.cpuUsage();
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      const stats: StandInStats = {
        delivered: [...delivered],
        sendTimes,
        throttles,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssMb: Math.round(peakRss / 1024 ** 2),
        items: dynamo.itemCount,
        requests: Object.fromEntries(dynamo.requests),
      };
      process.send?.({ type: 'stats', stats });
    } else if (m.type === 'stop') process.exit(0);
  });
  process.send?.({
    type: 'ready',
    dynamodb: db.endpoint,
    ses: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`,
  });
}

await main();
