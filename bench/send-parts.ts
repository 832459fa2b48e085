/**
 * What the send benchmarks' processes share (bench/send.ts in process, bench/send-worker.ts in worker
 * processes): the metered DynamoDB table, the campaign source, the counting logger and the SES mailer.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoSubscriberRepo } from '../src/adapters/dynamodb/subscriber-repo.ts';
import { Table } from '../src/adapters/dynamodb/table.ts';
import { powertoolsLogger } from '../src/adapters/powertools/logger.ts';
import { SesMailer } from '../src/adapters/ses/ses-mailer.ts';
import type { Config } from '../src/config/config.ts';
import type { CampaignSource } from '../src/ports/campaign-source.ts';
import { LOCAL_CREDENTIALS } from '../src/runtimes/local/stack.ts';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/** Sums ConsumedCapacity per request class from every DynamoDB call made through one client. */
export class CapacityMeter {
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

/** The table every request of the engine (and the repos it uses) goes through, with its meter. */
export function meteredTable(config: Config, endpoint: string) {
  const meter = new CapacityMeter();
  const client = new DynamoDBClient({ region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  client.middlewareStack.add(meter.middleware() as never, { step: 'initialize', name: 'benchCapacityMeter' });
  return { meter, table: new Table(client, config.GAZETTE_TABLE, meter) };
}

/** A newsletter-sized message: ~30 items of precompiled HTML, personalised by substitution. */
const HTML = `<html><body>${'<p>Member news item with a link <a href="https://igpn.example/x">more</a></p>'.repeat(60)}<p>Dear {{name}}, <a href="{{unsub}}">unsubscribe</a></p></body></html>`;

/** The benchmark's campaign (`test#…`): every confirmed subscriber, a ~5 KB personalised body. */
export function benchSource(table: Table, config: Config): CampaignSource {
  return {
    handles: (c) => c.startsWith('test#'),
    recipients: () => new DynamoSubscriberRepo(table).listByStatus('confirmed'),
    prepare: async (campaign) => (s, links) => ({
      from: config.GAZETTE_FROM,
      to: s.email,
      subject: `${campaign} Gazette`,
      html: HTML.replace('{{name}}', s.name).replace('{{unsub}}', links.unsubscribeUrl),
      text: `Dear ${s.name}\nUnsubscribe: ${links.unsubscribeUrl}`,
    }),
  };
}

/** The Lambdas' own logger, its lines counted (CloudWatch Logs ingest is priced per byte), not written. */
export function countingLogger() {
  let bytes = 0;
  const logger = powertoolsLogger({
    level: 'info',
    keys: { fn: 'send-worker' },
    write: (l) => {
      bytes += l.length + 1;
    },
  });
  return { logger, bytes: () => bytes };
}

export const benchMailer = (config: Config, endpoint: string) =>
  SesMailer.connect(
    { region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS, endpoint },
    { configurationSet: config.GAZETTE_SES_CONFIGURATION_SET },
  );

/**
 * A V8 CPU profile of this process from now to stop() (the send window, not the seeding): written as
 * `<dir>/<name>-<pid>.cpuprofile` (open it in Chrome's DevTools or speedscope). Undefined without a dir.
 */
export async function startProfiler(dir: string | undefined) {
  if (!dir) return undefined;
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
