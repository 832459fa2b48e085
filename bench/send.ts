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
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HANDLER_SPECS } from '../infra/functions.ts';
import { DynamoSubscriberRepo } from '../src/adapters/dynamodb/subscriber-repo.ts';
import { Table } from '../src/adapters/dynamodb/table.ts';
import { LocalJobRunner } from '../src/adapters/local/local-jobs.ts';
import { LocalQueue } from '../src/adapters/local/local-queue.ts';
import type { Infra } from '../src/app/infra.ts';
import { composeSending } from '../src/app/sending.ts';
import type { Config } from '../src/config/config.ts';
import { type Subscriber, subscriberIdFor } from '../src/domain/index.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { SendBatchMessage, SendQueueMessage } from '../src/ports/queue.ts';
import { LOCAL_CREDENTIALS } from '../src/runtimes/local/stack.ts';
import { startThrottlingProxy } from '../test/support/throttling-proxy.ts';
import type { StandInStats } from './scale-standins.ts';
import { benchMailer, benchSource, countingLogger, meteredTable, startProfiler } from './send-parts.ts';
import type { WorkerStats } from './send-worker.ts';
import { benchConfig, startBenchStack } from './support.ts';

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

/** Where a send benchmark runs: the table, the SES stand-in and what they saw. */
interface SendEnv {
  /** Said in the output: which DynamoDB the figures are from. */
  table: string;
  config: Config;
  dynamodbEndpoint: string;
  sesEndpoint: string;
  /** Accepted SendEmail calls per recipient address, accepted send times, 429s answered. */
  seen(): Promise<{
    delivered: Map<string, number>;
    sendTimes: number[];
    throttles: number;
    standIns?: object;
  }>;
  stop(): Promise<void>;
}

/** The embedded stack: dynalite and aws-ses-v2-local behind the throttling proxy, in this process. */
async function dynaliteEnv(rate: number): Promise<SendEnv> {
  const proxy = await startThrottlingProxy({ rate });
  const stack = await startBenchStack({ sesEndpoint: (real) => proxy.inFrontOf(real) });
  return {
    table: 'dynalite (in memory, same process)',
    config: stack.infra.config,
    dynamodbEndpoint: stack.endpoints.dynamodb,
    sesEndpoint: proxy.url,
    seen: async () => {
      const mails = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
        emails: { destination: { to: string[] } }[];
      };
      const delivered = new Map<string, number>();
      for (const m of mails.emails)
        for (const to of m.destination.to) delivered.set(to, (delivered.get(to) ?? 0) + 1);
      return { delivered, sendTimes: proxy.stats.sendTimes, throttles: proxy.throttles };
    },
    stop: async () => {
      await stack.stop();
      await proxy.close();
    },
  };
}

/**
 * The in-memory DynamoDB stand-in and the throttling SES stand-in in a child process
 * (bench/scale-standins.ts): this process then holds only the engine, as a send worker does.
 */
export async function memoryEnv(rate: number): Promise<SendEnv> {
  const child = fork(join(import.meta.dirname, 'scale-standins.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`bench stand-ins exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = reply<{ dynamodb: string; ses: string }>('ready');
  child.send({ rate });
  const { dynamodb, ses } = await ready;
  return {
    table: 'in-memory DynamoDB stand-in (test/support/memory-dynamodb.ts, same repository code; own process)',
    config: benchConfig(),
    dynamodbEndpoint: dynamodb,
    sesEndpoint: ses,
    seen: async () => {
      const answer = reply<{ stats: StandInStats }>('stats');
      child.send({ type: 'stats' });
      const { stats } = await answer;
      return {
        delivered: new Map(stats.delivered),
        sendTimes: stats.sendTimes,
        throttles: stats.throttles,
        standIns: {
          cpu_ms: Math.round(stats.cpuMs),
          peak_rss_mb: stats.peakRssMb,
          items: stats.items,
          requests: stats.requests,
        },
      };
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

/** Waits for the first IPC message of `type` (and `id`) from a child; rejects if it exits first. */
function replyFrom<T>(child: ChildProcess, type: string, id?: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type: string; id?: number }) => {
      if (m.type !== type || (id !== undefined && m.id !== id)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Send workers in processes of their own (bench/send-worker.ts), as several send-worker Lambda instances
 * consume one queue on AWS: each runs the real engine with its own rate gate at the fleet rate ÷ `size`
 * (GAZETTE_SEND_WORKER_CONCURRENCY), so the pacing is the engine's. They stay up across sizes (warm, as
 * Lambda containers are) and get new clients for each size's stand-ins.
 */
export class WorkerPool {
  private nextId = 0;
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(size: number): Promise<WorkerPool> {
    const children = await Promise.all(
      Array.from({ length: size }, async () => {
        const child = fork(join(import.meta.dirname, 'send-worker.ts'), [], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        await replyFrom(child, 'started');
        return child;
      }),
    );
    return new WorkerPool(children);
  }

  get size() {
    return this.children.length;
  }

  async setup(env: { dynamodbEndpoint: string; sesEndpoint: string }, name: string, cpuProfileDir?: string) {
    await Promise.all(
      this.children.map((c, i) => {
        const ready = replyFrom(c, 'ready');
        c.send({
          type: 'setup',
          dynamodb: env.dynamodbEndpoint,
          ses: env.sesEndpoint,
          workers: this.size,
          cpuProfileDir,
          name: `${name}-worker${i}`,
        });
        return ready;
      }),
    );
  }

  /** One queue message through worker `i`; throws (so the queue redelivers it) when the worker did. */
  async consume(i: number, message: SendQueueMessage, queue: LocalQueue<SendBatchMessage>) {
    const child = this.children[i]!;
    const id = this.nextId++;
    // What the engine queues itself (a daily-quota check) goes to the shared queue.
    const onEnqueue = (m: { type: string; messages?: SendBatchMessage[]; delayMs?: number }) => {
      if (m.type === 'enqueue') void queue.sendBatch(m.messages ?? [], { delayMs: m.delayMs });
    };
    child.on('message', onEnqueue);
    const done = replyFrom<{ error?: string }>(child, 'done', id);
    child.send({ type: 'batch', id, message });
    try {
      const { error } = await done;
      if (error !== undefined) throw new Error(error);
    } finally {
      child.off('message', onEnqueue);
    }
  }

  stats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.children.map(async (c) => {
        const answer = replyFrom<{ stats: WorkerStats }>(c, 'stats');
        c.send({ type: 'stats' });
        return (await answer).stats;
      }),
    );
  }

  async close() {
    await Promise.all(
      this.children.map((c) => {
        const exited = new Promise((r) => c.once('exit', r));
        c.send({ type: 'stop' });
        return exited;
      }),
    );
  }
}

const emailOf = (i: number) => `bench${String(i).padStart(6, '0')}@example.org`;

export async function benchSend(
  opts: {
    recipients?: number;
    rate?: number;
    table?: 'dynalite' | 'memory';
    cpuProfileDir?: string;
    /** Send workers in processes of their own; without, the engine runs in this process. */
    pool?: WorkerPool;
  } = {},
): Promise<SendBenchResult> {
  const n = opts.recipients ?? 2000;
  const rate = opts.rate ?? 80;
  const env = opts.table === 'memory' ? await memoryEnv(rate) : await dynaliteEnv(rate);
  const config = env.config;
  try {
    const aws = { region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS, endpoint: env.dynamodbEndpoint };
    // Seed confirmed subscribers (not measured: that is the subscribers area's cost). Generated as they
    // are written, so this process does not hold the list.
    const seedTable = new Table(new DynamoDBClient(aws), config.GAZETTE_TABLE);
    await seedTable.ensureExists();
    const subsRepo = new DynamoSubscriberRepo(seedTable);
    const at = new Date().toISOString();
    const subscriber = (i: number): Subscriber => {
      const email = emailOf(i);
      return {
        subscriberId: subscriberIdFor(email, config.GAZETTE_TOKEN_SECRET!),
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
    };
    for (let i = 0; i < n; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, n - i) }, (_, j) => subsRepo.create(subscriber(i + j))),
      );

    // Measured client: every DynamoDB request of the engine (and the repos it uses) goes through it.
    const { meter, table } = meteredTable(config, env.dynamodbEndpoint);
    const source = benchSource(table, config);
    const counting = countingLogger();
    const logger = counting.logger;
    const pool = opts.pool;
    const queue = new LocalQueue<SendBatchMessage>(logger, { concurrency: pool?.size ?? 1 });
    const runner = new LocalJobRunner(logger);
    const infra = {
      // With worker processes, the plan's view of the fleet is theirs (maxSendRate on the job).
      config: pool ? { ...config, GAZETTE_SEND_WORKER_CONCURRENCY: pool.size } : config,
      table,
      logger,
      clock: systemClock,
      sendQueue: queue,
      jobs: runner,
      mailer: benchMailer(config, env.sesEndpoint),
      tokenSecret: async () => config.GAZETTE_TOKEN_SECRET!,
    } as Partial<Infra> as Infra;
    const sending = composeSending(infra, { sources: [source] });
    const workerMs: number[] = [];
    let planMs = 0;
    if (pool) {
      await pool.setup(env, `send-${n}`, opts.cpuProfileDir);
      // Each of the queue's consumers is one worker process (one Lambda instance); a failed message
      // (BatchIncompleteError there) is redelivered by the queue, as SQS does.
      queue.setConsumer((m, worker) => pool.consume(worker, m, queue));
    } else
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
    // Peak RSS of this process while the send runs (sampled), and its CPU time. With the dynalite stack
    // they include the local servers (dynalite holds the table in memory): upper bounds of the engine's.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const profiler = pool ? undefined : await startProfiler(opts.cpuProfileDir);
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
    await profiler?.stop(`send-${n}`);

    const workers = pool ? await pool.stats() : undefined;
    const status = await sending.status(campaign, { exact: true });

    const seen = await env.seen();
    const counts = seen.delivered;
    const duplicates = [...counts.values()].reduce((a, c) => a + Math.max(0, c - 1), 0);
    let lost = 0;
    for (let i = 0; i < n; i++) if (!counts.has(emailOf(i))) lost++;
    const times = seen.sendTimes;
    const last = times.reduce((a, b) => Math.max(a, b), 0);
    const first = times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const achieved = counts.size / ((last - started) / 1000);
    const steady = (counts.size - 1) / ((last - first) / 1000);

    // --- cost, scaled to 10,000 recipients: this process (the plan, the queue; in process also the
    // worker) and the worker processes together.
    const sum = (f: (w: WorkerStats) => number) => (workers ?? []).reduce((a, w) => a + f(w), 0);
    const reads = meter.read + sum((w) => w.read);
    const writes = meter.write + sum((w) => w.write);
    const requests = meter.requests + sum((w) => w.requests);
    const handlerMs = workerMs.reduce((a, b) => a + b, 0) + sum((w) => w.handlerMs);
    const batches = workerMs.length + sum((w) => w.messages);
    const logBytes = counting.bytes() + sum((w) => w.logBytes);
    const mem = (fn: keyof typeof HANDLER_SPECS) => HANDLER_SPECS[fn].memoryMb / 1024;
    const lambdaGbS = (handlerMs / 1000) * mem('send-worker') + (planMs / 1000) * mem('dispatch');
    const sqsRequests = Math.ceil(batches / 10) + 2 * batches; // SendMessageBatch; receive + delete (batch size 1)
    const parts = {
      dynamodb_reads: reads * PRICES.dynamodbReadRequestUnit,
      dynamodb_writes: writes * PRICES.dynamodbWriteRequestUnit,
      lambda_duration: lambdaGbS * PRICES.lambdaGbSecondArm64,
      lambda_requests: (batches + 1) * PRICES.lambdaRequest,
      sqs: sqsRequests * PRICES.sqsRequest,
      logs: (logBytes / 1024 ** 3) * PRICES.cloudwatchLogsIngestPerGb,
    };
    const scale = 10_000 / n;
    const per10k = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v * scale, 6)]));
    const total = Object.values(parts).reduce((a, b) => a + b, 0) * scale;
    const ownCpuMs = (cpu.user + cpu.system) / 1000;
    // The engine's CPU: the worker processes' when there are any (this process then plans and queues).
    const engineCpuMs = workers ? sum((w) => w.cpuMs) : ownCpuMs;

    return {
      send_rate_fraction: round(achieved / rate, 4),
      send_rate_fraction_steady: round(steady / rate, 4),
      sent: counts.size,
      duplicates,
      lost,
      throttle_retries: seen.throttles,
      aws_cost_per_10k_usd_beyond_ses: round(total, 6),
      send_details: {
        table: env.table,
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
        dynamodb_rru_per_recipient: round(reads / n, 3),
        dynamodb_wru_per_recipient: round(writes / n, 3),
        dynamodb_requests_per_recipient: round(requests / n, 3),
        lambda_gb_seconds: round(lambdaGbS, 3),
        // The largest worker's (or, in process, this process's) peak RSS.
        peak_rss_mb: workers ? Math.max(...workers.map((w) => w.peakRssMb)) : round(peakRss / 1024 ** 2, 1),
        cpu_ms_per_recipient: round(engineCpuMs / n, 3),
        ...(workers
          ? {
              workers: workers.map((w) => ({
                peak_rss_mb: w.peakRssMb,
                cpu_ms: Math.round(w.cpuMs),
                messages: w.messages,
              })),
              coordinator: {
                what: 'plan (dispatch), the queue (SQS) and the exact status, in the bench process',
                cpu_ms: Math.round(ownCpuMs),
                peak_rss_mb: round(peakRss / 1024 ** 2, 1),
              },
            }
          : {}),
        ...(seen.standIns ? { stand_ins: seen.standIns } : {}),
        worker_memory_mb: HANDLER_SPECS['send-worker'].memoryMb,
        cost_per_10k_usd: per10k,
        prices: PRICES,
        notes: [
          'dynalite and the stand-in do not bill failed conditional writes or GSI writes as AWS does; the engine writes no GSI per recipient and conditional failures only happen on duplicates',
          'worker duration is dominated by pacing at the SES rate: at a lower account rate the same 10k recipients keep workers alive longer (see docs/performance.md)',
        ],
      },
    };
  } finally {
    await env.stop();
  }
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * How time, memory and cost grow with the list (issue 17): the same send at each size, against a fast
 * throttling SES stand-in (default 500/s), over the in-memory DynamoDB stand-in in a process of its own
 * (`--scale-table dynalite` for the embedded stack's dynalite in this process, which holds the rate to a
 * quarter), with the engine in `workers` send-worker processes over one queue (WorkerPool; 0: in this
 * process). 100,000 is opt-in (`--scale 1000,10000,100000`: about five minutes, most of it the send at
 * 500/s); the default runs 1,000 and 10,000.
 */
export async function benchScale(
  opts: {
    sizes?: number[];
    rate?: number;
    table?: 'dynalite' | 'memory';
    cpuProfileDir?: string;
    /** Send-worker processes over the one queue (GAZETTE_SEND_WORKER_CONCURRENCY); 0: the engine in this process. */
    workers?: number;
  } = {},
) {
  const sizes = opts.sizes ?? [1000, 10_000];
  const rate = opts.rate ?? 500;
  const tableKind = opts.table ?? 'memory';
  const workers = opts.workers ?? 2;
  const rows: Record<string, unknown>[] = [];
  let table = '';
  const pool = workers > 0 ? await WorkerPool.start(workers) : undefined;
  try {
    // A warm-up send first (not reported), as the compile benchmark warms up: without it the first size
    // measures V8 compiling the SDK and the engine (~5 CPU ms per recipient at 1,000, against ~1.6 warm),
    // which a send worker's container pays once, not per send.
    // With worker processes each warms up on its share: 500 recipients per worker.
    await benchSend({ recipients: 500 * Math.max(1, workers), rate, table: tableKind, pool });
    for (const n of sizes) {
      const r = await benchSend({
        recipients: n,
        rate,
        table: tableKind,
        pool,
        cpuProfileDir: opts.cpuProfileDir,
      });
      const d = r.send_details;
      table = d.table as string;
      rows.push({
        recipients: n,
        send_rate_fraction: r.send_rate_fraction,
        // First to last accepted send (no planning, no first-batch set-up): reported beside, not the target.
        send_rate_fraction_steady: r.send_rate_fraction_steady,
        duplicates: r.duplicates,
        lost: r.lost,
        peak_rss_mb: d.peak_rss_mb,
        cpu_ms_per_recipient: d.cpu_ms_per_recipient,
        // Recipients per second one worker could carry on a core of its own: what sizes the fleet.
        worker_capacity_per_s: Math.round(1000 / (d.cpu_ms_per_recipient as number)),
        dynamodb_rru_per_recipient: d.dynamodb_rru_per_recipient,
        dynamodb_wru_per_recipient: d.dynamodb_wru_per_recipient,
        dynamodb_requests_per_recipient: d.dynamodb_requests_per_recipient,
        throttle_retries: r.throttle_retries,
        elapsed_ms: d.elapsed_ms,
        cost_per_10k_usd: r.aws_cost_per_10k_usd_beyond_ses,
        ...(d.workers ? { workers: d.workers, coordinator: d.coordinator } : {}),
        ...(d.stand_ins ? { stand_ins: d.stand_ins } : {}),
      });
    }
  } finally {
    await pool?.close();
  }
  const costs = rows.map((r) => r.cost_per_10k_usd as number);
  return {
    scale: {
      rate,
      table,
      workers,
      measured_process: pool
        ? `${workers} send-worker process(es) over one queue, each with its own engine, SDK clients and rate gate at ${rate}/${workers} per second: CPU is theirs summed, peak RSS the largest (rows[].workers: each); the plan and the queue run in the bench process (rows[].coordinator)`
        : tableKind === 'memory'
          ? 'peak RSS and CPU are the bench process: the send engine, its SDK clients and the local queue only'
          : 'peak RSS and CPU include dynalite, aws-ses-v2-local and the proxy (same process)',
      rows,
    },
    scale_duplicates: rows.reduce((a, r) => a + (r.duplicates as number), 0),
    scale_lost: rows.reduce((a, r) => a + (r.lost as number), 0),
    scale_min_send_rate_fraction: Math.min(...rows.map((r) => r.send_rate_fraction as number)),
    // The cost per 10k at the largest size over the smallest: ≤ 1.1 means it does not grow with the list.
    scale_cost_growth: round((costs.at(-1) ?? 0) / (costs[0] || 1), 3),
    // Peak RSS at the largest size over the smallest: flat means the worker does not hold the list.
    scale_rss_growth: round(
      ((rows.at(-1)?.peak_rss_mb as number) ?? 0) / ((rows[0]?.peak_rss_mb as number) || 1),
      3,
    ),
  };
}
