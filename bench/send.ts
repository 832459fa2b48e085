/**
 * Send benchmark: 2,000 recipients through the real send engine, the real SES v2 SDK client and a
 * throttling stand-in for SES (test/support/throttling-proxy.ts: token bucket at `rate`, SES-shaped 429s),
 * on the embedded stack (dynalite, aws-ses-v2-local). Measures
 *   send_rate_fraction   recipients sent / elapsed from start() to the last accepted send, ÷ the configured
 *                        max rate (the engine learns it from GetAccount, as on AWS)
 *   sent, duplicates, lost, throttle_retries (every 429 the stand-in answered: each costs a retry)
 *   aws_cost_per_10k_usd_beyond_ses  from measured DynamoDB consumed capacity (ReturnConsumedCapacity on
 *                        every request, split into reads and writes), measured handler durations × the
 *                        functions' configured memory, counted SQS requests and log bytes, at the prices below.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HANDLER_SPECS } from '../infra/functions.ts';
import { DynamoSubscriberRepo } from '../src/adapters/dynamodb/subscriber-repo.ts';
import { Table } from '../src/adapters/dynamodb/table.ts';
import { LocalJobRunner } from '../src/adapters/local/local-jobs.ts';
import { LocalQueue } from '../src/adapters/local/local-queue.ts';
import { powertoolsLogger } from '../src/adapters/powertools/logger.ts';
import { composeSending } from '../src/app/sending.ts';
import { type Subscriber, subscriberIdFor } from '../src/domain/index.ts';
import type { CampaignSource } from '../src/ports/campaign-source.ts';
import type { SendBatchMessage } from '../src/ports/queue.ts';
import { LOCAL_CREDENTIALS } from '../src/runtimes/local/stack.ts';
import { startThrottlingProxy } from '../test/support/throttling-proxy.ts';
import { startBenchStack } from './support.ts';

/**
 * Published on-demand prices, us-east-1, as of 2026-01 (DynamoDB after the November 2024 on-demand price
 * reduction; Lambda on arm64/Graviton, which the stack deploys; SQS standard queue beyond the free tier).
 */
export const PRICES = {
  asOf: '2026-01',
  region: 'us-east-1',
  dynamodbWriteRequestUnit: 0.625 / 1e6,
  dynamodbReadRequestUnit: 0.125 / 1e6,
  lambdaGbSecondArm64: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  cloudwatchLogsIngestPerGb: 0.5,
} as const;

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/** Sums ConsumedCapacity per request class from every DynamoDB call made through one client. */
class CapacityMeter {
  read = 0;
  write = 0;
  requests = 0;
  add(_units: number) {
    // Table's sink: it asks for ReturnConsumedCapacity; the middleware below does the classified counting.
  }
  middleware() {
    return (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const input = (args as { input: Record<string, unknown> }).input;
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const out = (await next(args)) as { output: { ConsumedCapacity?: unknown } };
        this.requests++;
        const cc = out.output.ConsumedCapacity;
        const list = (Array.isArray(cc) ? cc : cc ? [cc] : []) as { CapacityUnits?: number }[];
        const units = list.reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
        if (READS.has(context.commandName ?? '')) this.read += units;
        else this.write += units;
        return out;
      };
  }
}

export interface SendBenchResult {
  send_rate_fraction: number;
  send_rate_fraction_steady: number;
  sent: number;
  duplicates: number;
  lost: number;
  throttle_retries: number;
  aws_cost_per_10k_usd_beyond_ses: number;
  send_details: Record<string, unknown>;
}

export async function benchSend(opts: { recipients?: number; rate?: number } = {}): Promise<SendBenchResult> {
  const n = opts.recipients ?? 2000;
  const rate = opts.rate ?? 80;
  const proxy = await startThrottlingProxy({ rate });
  const stack = await startBenchStack({
    sesEndpoint: (real) => proxy.inFrontOf(real),
  });
  try {
    // Seed confirmed subscribers (not measured: that is the subscribers area's cost).
    const subsRepo = new DynamoSubscriberRepo(stack.infra.table);
    const at = new Date().toISOString();
    const subs: Subscriber[] = Array.from({ length: n }, (_, i) => {
      const email = `bench${String(i).padStart(5, '0')}@example.org`;
      return {
        subscriberId: subscriberIdFor(email, stack.infra.config.GAZETTE_TOKEN_SECRET!),
        email,
        name: i % 4 === 0 ? `读者 ${i}` : `Reader ${i}`,
        language: 'en',
        timeZone: 'UTC',
        audiences: ['newsletter'],
        status: 'confirmed',
        source: 'admin',
        createdAt: at,
        updatedAt: at,
        softBounces: 0,
      };
    });
    for (let i = 0; i < subs.length; i += 50)
      await Promise.all(subs.slice(i, i + 50).map((s) => subsRepo.create(s)));

    // Measured client: every DynamoDB request of the engine (and the repos it uses) goes through it.
    const meter = new CapacityMeter();
    const client = new DynamoDBClient({
      region: stack.infra.config.AWS_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.endpoints.dynamodb,
    });
    client.middlewareStack.add(meter.middleware() as never, {
      step: 'initialize',
      name: 'benchCapacityMeter',
    });
    const table = new Table(client, stack.infra.config.GAZETTE_TABLE, meter);

    // A newsletter-sized message: ~30 items of precompiled HTML, personalised by substitution.
    const html = `<html><body>${'<p>Member news item with a link <a href="https://igpn.example/x">more</a></p>'.repeat(60)}<p>Dear {{name}}, <a href="{{unsub}}">unsubscribe</a></p></body></html>`;
    const source: CampaignSource = {
      handles: (c) => c.startsWith('test#'),
      recipients: () => new DynamoSubscriberRepo(table).listByStatus('confirmed'),
      prepare: async (campaign) => (s, links) => ({
        from: stack.infra.config.GAZETTE_FROM,
        to: s.email,
        subject: `${campaign} Gazette`,
        html: html.replace('{{name}}', s.name).replace('{{unsub}}', links.unsubscribeUrl),
        text: `Dear ${s.name}\nUnsubscribe: ${links.unsubscribeUrl}`,
      }),
    };

    let logBytes = 0;
    // The Lambdas' own logger, its lines counted (CloudWatch Logs ingest is priced per byte).
    const logger = powertoolsLogger({
      level: 'info',
      keys: { fn: 'send-worker' },
      write: (l) => {
        logBytes += l.length + 1;
      },
    });
    const queue = new LocalQueue<SendBatchMessage>(logger);
    const runner = new LocalJobRunner(logger);
    const sending = composeSending(
      { ...stack.infra, table, logger, sendQueue: queue, jobs: runner },
      { sources: [source] },
    );
    const workerMs: number[] = [];
    let planMs = 0;
    queue.setConsumer(async (m) => {
      const t0 = performance.now();
      try {
        await sending.engine.consume(m);
      } finally {
        workerMs.push(performance.now() - t0);
      }
    });
    runner.setHandler(async (job) => {
      const t0 = performance.now();
      if (job.type === 'plan-send') await sending.engine.plan(job.campaign);
      planMs += performance.now() - t0;
    });

    const campaign = 'test#bench';
    // Peak RSS of this process while the send runs (sampled), and its CPU time: both include the local
    // servers (dynalite holds the table in memory), so they are upper bounds of the engine's own.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const cpu0 = process.cpuUsage();
    const started = Date.now();
    await sending.startSend(campaign, 'bench');
    for (let i = 0; i < 100; i++) {
      await runner.idle();
      await queue.idle();
      if (queue.depth === 0) break;
    }
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const status = await sending.status(campaign, { exact: true });

    const mails = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
      emails: { destination: { to: string[] }; subject: string }[];
    };
    const counts = new Map<string, number>();
    for (const m of mails.emails)
      if (m.subject.startsWith(campaign))
        for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((a, c) => a + Math.max(0, c - 1), 0);
    const lost = subs.filter((s) => !counts.has(s.email)).length;
    const times = proxy.stats.sendTimes;
    const last = Math.max(...times);
    const first = Math.min(...times);
    const achieved = counts.size / ((last - started) / 1000);
    const steady = (counts.size - 1) / ((last - first) / 1000);

    // --- cost, scaled to 10,000 recipients
    const batches = workerMs.length;
    const mem = (fn: keyof typeof HANDLER_SPECS) => HANDLER_SPECS[fn].memoryMb / 1024;
    const lambdaGbS =
      (workerMs.reduce((a, b) => a + b, 0) / 1000) * mem('send-worker') + (planMs / 1000) * mem('dispatch');
    const sqsRequests = Math.ceil(batches / 10) + 2 * batches; // SendMessageBatch; receive + delete (batch size 1)
    const parts = {
      dynamodb_reads: meter.read * PRICES.dynamodbReadRequestUnit,
      dynamodb_writes: meter.write * PRICES.dynamodbWriteRequestUnit,
      lambda_duration: lambdaGbS * PRICES.lambdaGbSecondArm64,
      lambda_requests: (batches + 1) * PRICES.lambdaRequest,
      sqs: sqsRequests * PRICES.sqsRequest,
      logs: (logBytes / 1024 ** 3) * PRICES.cloudwatchLogsIngestPerGb,
    };
    const scale = 10_000 / n;
    const per10k = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v * scale, 6)]));
    const total = Object.values(parts).reduce((a, b) => a + b, 0) * scale;

    return {
      send_rate_fraction: round(achieved / rate, 4),
      send_rate_fraction_steady: round(steady / rate, 4),
      sent: counts.size,
      duplicates,
      lost,
      throttle_retries: proxy.throttles,
      aws_cost_per_10k_usd_beyond_ses: round(total, 6),
      send_details: {
        recipients: n,
        configured_max_rate: rate,
        achieved_rate: round(achieved, 2),
        elapsed_ms: last - started,
        status: status.status,
        exact: {
          sent: status.sent,
          failed: status.failed,
          uncertain: status.uncertain,
          pending: status.pending,
        },
        batches,
        dynamodb_rru_per_recipient: round(meter.read / n, 3),
        dynamodb_wru_per_recipient: round(meter.write / n, 3),
        dynamodb_requests_per_recipient: round(meter.requests / n, 3),
        lambda_gb_seconds: round(lambdaGbS, 3),
        peak_rss_mb: round(peakRss / 1024 ** 2, 1),
        cpu_ms_per_recipient: round((cpu.user + cpu.system) / 1000 / n, 3),
        worker_memory_mb: HANDLER_SPECS['send-worker'].memoryMb,
        cost_per_10k_usd: per10k,
        prices: PRICES,
        notes: [
          'dynalite does not bill failed conditional writes or GSI writes as AWS does; the engine writes no GSI per recipient and conditional failures only happen on duplicates',
          'worker duration is dominated by pacing at the SES rate: at a lower account rate the same 10k recipients keep workers alive longer (see docs/performance.md)',
        ],
      },
    };
  } finally {
    await stack.stop();
    await proxy.close();
  }
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * How time, memory and cost grow with the list (issue 17): the same send at each size, against a fast
 * throttling SES stand-in (default 500/s). 100,000 is opt-in (`--scale 1000,10000,100000`: ~10 minutes
 * here, mostly seeding and dynalite), the default runs 1,000 and 10,000.
 */
export async function benchScale(opts: { sizes?: number[]; rate?: number } = {}) {
  const sizes = opts.sizes ?? [1000, 10_000];
  const rate = opts.rate ?? 500;
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const r = await benchSend({ recipients: n, rate });
    const d = r.send_details;
    rows.push({
      recipients: n,
      send_rate_fraction: r.send_rate_fraction,
      duplicates: r.duplicates,
      lost: r.lost,
      peak_rss_mb: d.peak_rss_mb,
      cpu_ms_per_recipient: d.cpu_ms_per_recipient,
      dynamodb_rru_per_recipient: d.dynamodb_rru_per_recipient,
      dynamodb_wru_per_recipient: d.dynamodb_wru_per_recipient,
      cost_per_10k_usd: r.aws_cost_per_10k_usd_beyond_ses,
    });
  }
  const costs = rows.map((r) => r.cost_per_10k_usd as number);
  return {
    scale: { rate, table: 'dynalite (in memory, same process)', rows },
    scale_duplicates: rows.reduce((a, r) => a + (r.duplicates as number), 0),
    scale_lost: rows.reduce((a, r) => a + (r.lost as number), 0),
    scale_min_send_rate_fraction: Math.min(...rows.map((r) => r.send_rate_fraction as number)),
    // The cost per 10k at the largest size over the smallest: ≤ 1.1 means it does not grow with the list.
    scale_cost_growth: round((costs.at(-1) ?? 0) / (costs[0] || 1), 3),
  };
}
