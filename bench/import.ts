/**
 * Subscriber import benchmark (issue 17): a CSV of N lines, generated on the fly to a temp file, through
 * the real import route (POST /admin/subscribers/import as text/csv: charset detection, the CSV reader,
 * the import use case, the repositories) over the in-memory DynamoDB stand-in in a process of its own
 * (bench/scale-standins.ts), so this process's RSS and CPU are the import's. Per size: lines/s, CPU ms per
 * line, peak RSS while importing and the heap the import left in use; `import_rss_growth` is the largest
 * size's peak RSS over the smallest's, and `import_memory_flat` PASS when it is ≤ 1.25.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Table } from '../src/adapters/dynamodb/table.ts';
import type { Infra } from '../src/app/infra.ts';
import { composeSubscribers } from '../src/app/subscribers.ts';
import { systemClock } from '../src/ports/clock.ts';
import { silentLogger } from '../src/ports/logger.ts';
import { LOCAL_CREDENTIALS } from '../src/runtimes/local/stack.ts';
import { memoryEnv } from './send.ts';

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Writes `lines` subscriber rows (a header, one in 20 without consent, names in several scripts). */
async function writeCsv(path: string, lines: number) {
  const out = createWriteStream(path);
  out.write('Email,Name,Language,Time zone,Audiences,Consent\n');
  const names = ['Reader', 'Lectrice', '读者', 'Leserin', 'Lector'];
  for (let i = 0; i < lines; i++) {
    const row = `import${String(i).padStart(6, '0')}@example.org,${names[i % 5]} ${i},${i % 3 ? 'en' : 'fr'},${i % 2 ? 'Europe/Paris' : 'Asia/Shanghai'},newsletter,${i % 20 ? 'yes' : 'no'}\n`;
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function importOnce(lines: number, dir: string) {
  const env = await memoryEnv(1);
  try {
    const config = env.config;
    const table = new Table(
      new DynamoDBClient({
        region: config.AWS_REGION,
        credentials: LOCAL_CREDENTIALS,
        endpoint: env.dynamodbEndpoint,
      }),
      config.GAZETTE_TABLE,
    );
    await table.ensureExists();
    const infra = {
      config,
      table,
      logger: silentLogger,
      clock: systemClock,
      tokenSecret: async () => config.GAZETTE_TOKEN_SECRET!,
    } as Partial<Infra> as Infra;
    const route = composeSubscribers(infra).routes.find(
      (r) => r.method === 'POST' && r.path === '/admin/subscribers/import',
    );
    if (!route) throw new Error('no import route');
    const file = join(dir, `import-${lines}.csv`);
    await writeCsv(file, lines);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peakRss = rss0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const body = await readFile(file);
    const res = await route.handler({
      method: 'POST',
      path: '/admin/subscribers/import',
      params: {},
      query: {},
      headers: { 'content-type': 'text/csv' },
      body,
      sourceIp: '127.0.0.1',
      actor: 'bench',
    });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const report = JSON.parse(String(res.body)) as {
      rows: number;
      imported: number;
      skippedCount: number;
      errorCount: number;
    };
    if (res.status !== 200 || report.rows !== lines)
      throw new Error(`import answered ${res.status}: ${String(res.body).slice(0, 200)}`);
    return {
      lines,
      file_mb: round(body.length / 1024 ** 2, 2),
      lines_per_s: Math.round(lines / (ms / 1000)),
      cpu_ms_per_line: round((cpu.user + cpu.system) / 1000 / lines, 3),
      peak_rss_mb: round(peakRss / 1024 ** 2, 1),
      rss_growth_mb: round((peakRss - rss0) / 1024 ** 2, 1),
      imported: report.imported,
      skipped: report.skippedCount,
      errors: report.errorCount,
    };
  } finally {
    await env.stop();
  }
}

export async function benchImport(opts: { lines?: number[] } = {}) {
  const sizes = opts.lines ?? [10_000, 100_000];
  const dir = await mkdtemp(join(tmpdir(), 'gazette-import-bench-'));
  try {
    const rows = [];
    for (const n of sizes) rows.push(await importOnce(n, dir));
    const first = rows[0];
    const last = rows.at(-1);
    const growth = first && last ? round(last.peak_rss_mb / first.peak_rss_mb, 3) : undefined;
    return {
      import: {
        table: 'in-memory DynamoDB stand-in (test/support/memory-dynamodb.ts; own process)',
        path: 'POST /admin/subscribers/import, text/csv, composed as the api function composes it',
        rows,
      },
      import_lines_per_s: last?.lines_per_s,
      import_rss_growth: growth,
      // Memory flat: the largest size's peak RSS at most 1.25 × the smallest's (rows are read and written in
      // batches; what still grows is the body, its text and the addresses seen, a few MB per 100,000 lines).
      import_memory_flat: growth === undefined ? undefined : growth <= 1.25 ? 'PASS' : 'FAIL',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
