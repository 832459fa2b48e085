/**
 * Inbound benchmark (called by bench/run.ts):
 *   ingest_msgs_per_s   typical member mails (plain text with field lines, Outlook and Apple Mail HTML,
 *                       GB2312 Chinese, a calendar invite) through the real path of the embedded stack:
 *                       raw stored in S3 (s3rver) → SES-shaped event → parse, sanitise, build → DynamoDB
 *                       (dynalite, in memory) → acknowledgement via SES v2 (aws-ses-v2-local).
 *                       Sequential, i.e. what one ingest Lambda instance sustains. 1,000 messages.
 *   ingest_cpu_ms_per_msg CPU time of this process per message: Gazette's work plus the local servers'
 *                       (dynalite, s3rver, the SES stand-in run in the same process), so an upper bound
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchStack } from './support.ts';

const FIXTURES = join(import.meta.dirname, '../test/fixtures/inbound');
const TYPICAL = [
  'member-news.eml',
  'outlook-html.eml',
  'apple-mail.eml',
  'gb2312-zh.eml',
  'calendar-invite.eml',
];

export async function benchIngest(
  opts: { messages?: number } = {},
): Promise<{ ingest_msgs_per_s: number; ingest_cpu_ms_per_msg: number; ingest_messages: number }> {
  const n = opts.messages ?? 1000;
  const stack = await startBenchStack();
  try {
    const members = stack.app.inbound.members;
    await members.add({
      organisation: 'GreenBuy e.V.',
      type: 'network',
      country: 'Germany',
      senders: ['news@greenbuy.example'],
    });
    await members.add({
      organisation: 'Eco Cities',
      type: 'associate',
      country: 'Singapore',
      senders: ['info@ecocities.example'],
    });
    await members.add({
      organisation: '中国绿色采购联盟',
      type: 'council',
      country: 'China',
      language: 'zh',
      senders: ['info@zhgpn.example'],
    });
    const templates = TYPICAL.map((f) => readFileSync(join(FIXTURES, f)));
    // A unique Message-ID per copy, so each is a new message (the local message id hashes the bytes).
    const message = (i: number) => {
      const t = templates[i % templates.length] as Buffer;
      return Buffer.concat([Buffer.from(`X-Bench-Seq: ${i}\r\n`), t]);
    };
    const envelope = { from: 'bench@localhost', to: [stack.infra.config.GAZETTE_UPDATES_ADDRESS] };
    // Warm-up (JIT, connections) under sequence numbers the measured run does not use.
    for (let i = 0; i < 10; i++) await stack.app.ingest.receiveRaw(message(n + i), envelope);
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const r = await stack.app.ingest.receiveRaw(message(i), envelope);
      if (r.outcome === 'rejected') throw new Error(`bench message ${i} rejected: ${r.reason}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      ingest_msgs_per_s: Math.round((n / seconds) * 10) / 10,
      ingest_cpu_ms_per_msg: Math.round(((cpu.user + cpu.system) / 1000 / n) * 100) / 100,
      ingest_messages: n,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchIngest()));
}
