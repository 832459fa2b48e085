/**
 * `npm run bench` — Gazette's speed, cost and robustness on one machine (issue 7).
 * Prints a table of measurements beside their targets; `npm run bench -- --json` prints one JSON object.
 * Either way the JSON is written to bench/results/latest.json. Each part runs in turn; a part whose module
 * is missing or fails is reported "not available" with the reason, and the others still run.
 *
 *   bench/editions.ts   personalise_ms_per_recipient, mjml_render_ms_per_recipient, compile_ms_100_items,
 *                       compile_ms_300_items, compile_cpu_ms_100_items, compile_cpu_ms_300_items,
 *                       edition_html_kb_30_items
 *   bench/send.ts       send_rate_fraction, sent, duplicates, lost, throttle_retries, aws_cost_per_10k_usd_beyond_ses
 *   bench/lambdas.ts    bundle_bytes, require_ms, require_floor_ms_fn, require_ms_other_sdk (per Lambda),
 *                       node_baseline_ms
 *   bench/ingest.ts     ingest_msgs_per_s, ingest_cpu_ms_per_msg (1,000 messages)
 *   bench/reminders.ts  reminder_lateness_p99_ms
 *   bench/console.ts    console_first_load_js_gzip_kb, moderation_render_ms_1000, moderation_filter_ms_1000
 *   bench/send.ts       benchScale: the send at 1,000 and 10,000 recipients (--scale 1000,10000,100000) at
 *                       500/s (--scale-rate) over the in-memory DynamoDB stand-in (--scale-table dynalite),
 *                       the engine in 2 send-worker processes over one queue (--scale-workers; 0: in this
 *                       process); --scale-cpu-prof <dir> profiles the send window: rate, duplicates, lost,
 *                       peak RSS, CPU, DynamoDB units and cost per 10k by size
 *   bench/import.ts     benchImport: a CSV of 10,000 and 100,000 lines (--import-lines) through the import
 *                       route: lines/s, CPU ms per line, peak RSS by size
 * Options: --only send,lambdas  --rate 80  --recipients 2000
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('only')?.split(',');

type Part = { name: string; run: () => Promise<Record<string, unknown>> };
const parts: Part[] = [
  {
    name: 'editions',
    run: async () => (await import('./editions.ts')).benchEditions(),
  },
  {
    name: 'send',
    run: async () =>
      (await import('./send.ts')).benchSend({
        rate: opt('rate') ? Number(opt('rate')) : undefined,
        recipients: opt('recipients') ? Number(opt('recipients')) : undefined,
      }) as unknown as Promise<Record<string, unknown>>,
  },
  {
    name: 'scale',
    run: async () =>
      (await import('./send.ts')).benchScale({
        sizes: opt('scale')?.split(',').map(Number),
        rate: opt('scale-rate') ? Number(opt('scale-rate')) : undefined,
        table: opt('scale-table') === 'dynalite' ? 'dynalite' : undefined,
        cpuProfileDir: opt('scale-cpu-prof'),
        workers: opt('scale-workers') ? Number(opt('scale-workers')) : undefined,
      }),
  },
  {
    name: 'import',
    run: async () =>
      (await import('./import.ts')).benchImport({ lines: opt('import-lines')?.split(',').map(Number) }),
  },
  { name: 'lambdas', run: async () => (await import('./lambdas.ts')).benchLambdas() },
  { name: 'ingest', run: async () => (await import('./ingest.ts')).benchIngest() },
  { name: 'reminders', run: async () => (await import('./reminders.ts')).benchReminders() },
  { name: 'console', run: async () => (await import('./console.ts')).benchConsole() },
];

const KB600 = 600 * 1024;

interface Check {
  metric: string;
  value: string;
  target: string;
  pass: boolean | null;
}

function checks(r: Record<string, unknown>): Check[] {
  const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : undefined);
  const out: Check[] = [];
  const add = (metric: string, value: number | undefined, target: string, pass: (v: number) => boolean) =>
    out.push({
      metric,
      value: value === undefined ? 'not available' : String(value),
      target,
      pass: value === undefined ? null : pass(value),
    });
  const p = num('personalise_ms_per_recipient');
  const m = num('mjml_render_ms_per_recipient');
  add('personalise_ms_per_recipient', p, '≤ 0.2', (v) => v <= 0.2);
  add('mjml_render_ms_per_recipient', m, '(naive baseline)', () => true);
  add('personalise_speedup', p && m ? Math.round(m / p) : undefined, '≥ 200×', (v) => v >= 200);
  add('edition_html_kb_30_items', num('edition_html_kb_30_items'), '< 102 (Gmail clips)', (v) => v < 102);
  add('send_rate_fraction', num('send_rate_fraction'), '≥ 0.95 (and never over the limit)', (v) => v >= 0.95);
  add(
    'sent',
    num('sent'),
    '= recipients',
    (v) => v === (r.send_details as { recipients?: number })?.recipients,
  );
  add('duplicates', num('duplicates'), '0', (v) => v === 0);
  add('lost', num('lost'), '0', (v) => v === 0);
  add('throttle_retries', num('throttle_retries'), '(reported)', () => true);
  add('aws_cost_per_10k_usd_beyond_ses', num('aws_cost_per_10k_usd_beyond_ses'), '≤ $0.01', (v) => v <= 0.01);
  const scaleRows = (r.scale as { rows?: Record<string, number>[] } | undefined)?.rows ?? [];
  for (const row of scaleRows)
    add(
      `scale.${row.recipients}`,
      row.cost_per_10k_usd,
      `(cost/10k; rate ${row.send_rate_fraction}, ${row.peak_rss_mb} MB, ${row.cpu_ms_per_recipient} CPU ms/rcpt)`,
      () => true,
    );
  add('scale_min_send_rate_fraction', num('scale_min_send_rate_fraction'), '≥ 0.95', (v) => v >= 0.95);
  add('scale_duplicates', num('scale_duplicates'), '0', (v) => v === 0);
  add('scale_lost', num('scale_lost'), '0', (v) => v === 0);
  add('scale_cost_growth', num('scale_cost_growth'), '≤ 1.1 (cost per 10k flat)', (v) => v <= 1.1);
  add('scale_rss_growth', num('scale_rss_growth'), '≤ 1.5 (worker RSS flat)', (v) => v <= 1.5);
  const importRows = (r.import as { rows?: Record<string, number>[] } | undefined)?.rows ?? [];
  for (const row of importRows)
    add(
      `import.${row.lines}`,
      row.lines_per_s,
      `(lines/s; ${row.cpu_ms_per_line} CPU ms/line, peak RSS ${row.peak_rss_mb} MB)`,
      () => true,
    );
  add('import_rss_growth', num('import_rss_growth'), '≤ 1.5 (memory flat)', (v) => v <= 1.5);
  const bytes = r.bundle_bytes as Record<string, number> | undefined;
  const req = r.require_ms as Record<string, number> | undefined;
  const floors = r.require_floor_ms_fn as Record<string, number> | undefined;
  const base = num('node_baseline_ms');
  add('node_baseline_ms', base, '(floor)', () => true);
  for (const [fn, b] of Object.entries(bytes ?? {})) {
    const exempt = fn === 'compile-edition';
    add(`bundle_bytes.${fn}`, b, exempt ? '(compiler: exempt)' : '≤ 600 KB', (v) => exempt || v <= KB600);
    const ms = req?.[fn];
    // Issue 17: against the floor of exactly what the function imports, and (but the compiler) bare Node.
    const floor = floors?.[fn];
    add(
      `require_ms.${fn}`,
      ms,
      `≤ 1.2 × its floor${floor ? ` (${Math.round(floor * 1.2)})` : ''}${exempt ? '' : `, ≤ 2.5 × baseline${base ? ` (${Math.round(base * 2.5)})` : ''}`}`,
      (v) => floor !== undefined && v <= floor * 1.2 && (exempt || (base !== undefined && v <= base * 2.5)),
    );
    add(
      `require_floor_ms_fn.${fn}`,
      floor,
      `(${(r.eager_packages as Record<string, string[]>)?.[fn]?.length ?? 0} modules it imports)`,
      () => true,
    );
    const other = (r.require_ms_other_sdk as Record<string, number> | undefined)?.[fn];
    add(
      `require_ms_other_sdk.${fn}`,
      other,
      `(SDK ${r.sdk_bundled ? 'external' : 'bundled'}: kept only if slower)`,
      (v) => ms === undefined || v >= ms * 0.95,
    );
  }
  if (!bytes) add('bundle_bytes', undefined, '≤ 600 KB', () => false);
  // What the stack itself costs to load (no Gazette code): context for the require_ms rows above.
  for (const [probe, ms] of Object.entries((r.require_floor_ms as Record<string, number> | undefined) ?? {}))
    add(
      `require_floor_ms.${probe}`,
      ms,
      `(stack floor; ${base ? `${(ms / base).toFixed(1)}× baseline` : ''})`,
      () => true,
    );
  add('compile_ms_100_items', num('compile_ms_100_items'), '≤ 1000', (v) => v <= 1000);
  add('compile_ms_300_items', num('compile_ms_300_items'), '≤ 2000', (v) => v <= 2000);
  add(
    'compile_cpu_ms_300_items',
    num('compile_cpu_ms_300_items'),
    '(reported; CPU of the same compile)',
    () => true,
  );
  add('ingest_msgs_per_s', num('ingest_msgs_per_s'), '(reported; 1,000 messages)', () => true);
  add('ingest_cpu_ms_per_msg', num('ingest_cpu_ms_per_msg'), '(reported; incl. local servers)', () => true);
  add('reminder_lateness_p99_ms', num('reminder_lateness_p99_ms'), '≤ 60000', (v) => v <= 60_000);
  add('console_first_load_js_gzip_kb', num('console_first_load_js_gzip_kb'), '≤ 200', (v) => v <= 200);
  add('moderation_render_ms_1000', num('moderation_render_ms_1000'), '≤ 200', (v) => v <= 200);
  add('moderation_filter_ms_1000', num('moderation_filter_ms_1000'), '≤ 200', (v) => v <= 200);
  return out;
}

async function main() {
  const result: Record<string, unknown> = {};
  const unavailable: Record<string, string> = {};
  for (const part of parts) {
    if (only && !only.includes(part.name)) continue;
    const t0 = performance.now();
    if (!asJson) process.stderr.write(`bench: ${part.name}…\n`);
    try {
      Object.assign(result, await part.run());
    } catch (e) {
      unavailable[part.name] = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
    if (!asJson) process.stderr.write(`bench: ${part.name} ${Math.round(performance.now() - t0)} ms\n`);
  }
  const table = checks(result);
  const out = {
    ...result,
    targets: table,
    passed: table.every((c) => c.pass !== false),
    unavailable,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      at: new Date().toISOString(),
    },
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (asJson) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const w = [
    Math.max(...table.map((c) => c.metric.length)),
    Math.max(...table.map((c) => c.value.length)),
    Math.max(...table.map((c) => c.target.length)),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(w[0]!)}  ${b.padStart(w[1]!)}  ${c.padEnd(w[2]!)}  ${d}`;
  const rows = [
    line('metric', 'measured', 'target', ''),
    line('-'.repeat(w[0]!), '-'.repeat(w[1]!), '-'.repeat(w[2]!), '----'),
  ];
  for (const c of table)
    rows.push(line(c.metric, c.value, c.target, c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'FAIL'));
  for (const [k, v] of Object.entries(unavailable)) rows.push(`${k}: not available (${v})`);
  rows.push('', `written to bench/results/latest.json`);
  process.stdout.write(`${rows.join('\n')}\n`);
}

await main();
// Local servers (dynalite, SES, s3rver) may keep handles open; the results are written.
process.exit(0);
