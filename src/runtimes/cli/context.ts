import cliProgress from 'cli-progress';
import type { ApiClient } from './api-client.ts';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** What every command gets: the API client and output helpers honouring --json. */
export interface CliContext {
  client(): Promise<ApiClient>;
  json: boolean;
  /** Print a result: JSON when --json, else the human rendering. */
  print(data: unknown, human?: (data: never) => string): void;
  /** A progress bar on stderr (never with --json, never when stderr is not a TTY). */
  progress(label: string, total: number): Progress;
}

export function makeOutput(json: boolean) {
  return {
    print(data: unknown, human?: (data: never) => string) {
      if (json || !human) process.stdout.write(`${JSON.stringify(data, null, json ? 0 : 2)}\n`);
      else process.stdout.write(`${human(data as never)}\n`);
    },
    progress(label: string, total: number): Progress {
      if (json || !process.stderr.isTTY) return { update() {}, stop() {} };
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        update(done, newTotal) {
          if (newTotal !== undefined) bar.setTotal(newTotal);
          bar.update(done);
        },
        stop() {
          bar.stop();
        },
      };
    },
  };
}

/** commander's argument parser for a repeatable option (`--sender a --sender b` → ['a', 'b']). */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Simple aligned table for human output. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return '(none)';
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}
