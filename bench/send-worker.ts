/**
 * One send worker of the scale benchmark, in a process of its own (bench/send.ts forks
 * GAZETTE_SEND_WORKER_CONCURRENCY of them), as several send-worker Lambda instances consume one SQS queue
 * on AWS: the real send engine (composeSending) with its own SDK clients, rate gate (the fleet rate ÷ the
 * worker count, as on AWS) and caches, over the shared table and SES stand-ins. The queue stays in the
 * bench process (SQS's part: at-least-once delivery, redelivery of a failed message); this process
 * consumes the messages it is handed and answers, so its CPU and RSS are one worker's.
 *
 * IPC: { type: 'setup', dynamodb, ses, workers, cpuProfileDir?, name } → { type: 'ready' } (new clients,
 * meters reset; the process and its JIT stay warm across sizes, as a Lambda container does);
 * { type: 'batch', id, message } → { type: 'done', id, error? }; the engine's own queue writes (quota
 * checks) go up as { type: 'enqueue', messages, delayMs }; { type: 'stats' } → { type: 'stats', stats };
 * { type: 'stop' } exits.
 */
import type { Infra } from '../src/app/infra.ts';
import { composeSending, type SendingApp } from '../src/app/sending.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { SendQueueMessage } from '../src/ports/queue.ts';
import {
  benchMailer,
  benchSource,
  type CapacityMeter,
  countingLogger,
  meteredTable,
  startProfiler,
} from './send-parts.ts';
import { benchConfig } from './support.ts';

export interface WorkerStats {
  cpuMs: number;
  peakRssMb: number;
  /** DynamoDB units and requests of this worker. */
  read: number;
  write: number;
  requests: number;
  logBytes: number;
  /** Handler time summed over the messages it processed (Lambda duration). */
  handlerMs: number;
  messages: number;
}

type In =
  | {
      type: 'setup';
      dynamodb: string;
      ses: string;
      workers: number;
      cpuProfileDir?: string;
      name: string;
    }
  | { type: 'batch'; id: number; message: SendQueueMessage }
  | { type: 'stats' }
  | { type: 'stop' };

let sending: SendingApp | undefined;
let meter: CapacityMeter | undefined;
let logBytes = () => 0;
let handlerMs = 0;
let messages = 0;
let cpu0 = process.cpuUsage();
let peakRss = 0;
let profiler: Awaited<ReturnType<typeof startProfiler>>;
let profileName = '';
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100).unref();

const send = (m: unknown) => process.send?.(m);

process.on('message', async (m: In) => {
  if (m.type === 'setup') {
    const config = { ...benchConfig(), GAZETTE_SEND_WORKER_CONCURRENCY: m.workers };
    const metered = meteredTable(config, m.dynamodb);
    const counting = countingLogger();
    const infra = {
      config,
      table: metered.table,
      logger: counting.logger,
      clock: systemClock,
      // What the engine itself queues (daily-quota checks) goes to the shared queue.
      sendQueue: {
        sendBatch: async (messages: SendQueueMessage[], opts?: { delayMs?: number }) =>
          void send({ type: 'enqueue', messages, delayMs: opts?.delayMs }),
      },
      jobs: {
        run: async () => {
          throw new Error('a send worker starts no background jobs in the benchmark');
        },
      },
      mailer: benchMailer(config, m.ses),
      tokenSecret: async () => config.GAZETTE_TOKEN_SECRET!,
    } as Partial<Infra> as Infra;
    sending = composeSending(infra, { sources: [benchSource(metered.table, config)] });
    meter = metered.meter;
    logBytes = counting.bytes;
    handlerMs = 0;
    messages = 0;
    peakRss = process.memoryUsage().rss;
    profileName = m.name;
    profiler = await startProfiler(m.cpuProfileDir);
    cpu0 = process.cpuUsage();
    send({ type: 'ready' });
  } else if (m.type === 'batch') {
    const t0 = performance.now();
    try {
      await sending!.engine.consume(m.message);
      send({ type: 'done', id: m.id });
    } catch (e) {
      send({ type: 'done', id: m.id, error: e instanceof Error ? e.message : String(e) });
    } finally {
      handlerMs += performance.now() - t0;
      messages++;
    }
  } else if (m.type === 'stats') {
    const cpu = process.cpuUsage(cpu0);
    await profiler?.stop(profileName);
    profiler = undefined;
    const stats: WorkerStats = {
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMb: Math.round((10 * peakRss) / 1024 ** 2) / 10,
      read: meter?.read ?? 0,
      write: meter?.write ?? 0,
      requests: meter?.requests ?? 0,
      logBytes: logBytes(),
      handlerMs,
      messages,
    };
    send({ type: 'stats', stats });
  } else if (m.type === 'stop') process.exit(0);
});
send({ type: 'started' });
