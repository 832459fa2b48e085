/**
 * The `gazette` CLI. Every command talks to the admin API: the embedded runtime by default
 * (started in-process if `npm start` is not running), or a deployed stack with --api URL (SigV4).
 */
import { Command, CommanderError, Option } from 'commander';
import { LocalConfigSchema, loadConfig } from '../../config/config.ts';
import { isDomainError } from '../../domain/errors.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { registerAll } from './commands/index.ts';
import { closeEmbedded, connect } from './connect.ts';
import { type CliContext, makeOutput } from './context.ts';

export function buildProgram(): Command {
  const program = new Command('gazette')
    .description('Gazette: newsletter and notification pipeline for membership networks')
    .addOption(new Option('--json', 'machine-readable JSON output'))
    .addOption(
      new Option('--api <url>', 'API base URL of a deployed stack (default: the embedded runtime)').env(
        'GAZETTE_API_URL',
      ),
    )
    .addOption(new Option('--region <region>', 'AWS region for SigV4 signing').env('AWS_REGION'))
    .showHelpAfterError()
    // Usage errors are thrown (and inherited by every subcommand) so main() reports them like any other
    // error: one JSON object on stdout with --json, and the embedded stack still closed.
    .exitOverride();

  let client: Promise<ApiClient> | undefined;
  const opts = () => program.opts<{ json?: boolean; api?: string; region?: string }>();
  const out = () => makeOutput(Boolean(opts().json));
  const ctx: CliContext = {
    client: () => {
      client ??= connect({ api: opts().api, region: opts().region, config: loadConfig(LocalConfigSchema) });
      return client;
    },
    get json() {
      return Boolean(opts().json);
    },
    print: (data, human) => out().print(data, human),
    progress: (label, total) => out().progress(label, total),
  };
  registerAll(program, ctx);
  return program;
}

async function main(argv: string[]) {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed the usage error (or the help / version asked for) on stderr.
      if (e.exitCode !== 0 && argv.includes('--json'))
        process.stdout.write(
          `${JSON.stringify({ error: { error: 'usage', message: e.code === 'commander.help' ? 'a command is required (see --help)' : e.message.replace(/^error: /, '') } })}\n`,
        );
      process.exitCode = e.exitCode;
      return;
    }
    const json = argv.includes('--json');
    const message = e instanceof Error ? e.message : String(e);
    // Input refused by the CLI itself (a domain error) answers like one the API refused: same shape, exit 2.
    const body = e instanceof ApiError ? e.body : isDomainError(e) ? { error: e.code, message } : { message };
    if (json) process.stdout.write(`${JSON.stringify({ error: body })}\n`);
    else process.stderr.write(`gazette: ${message}\n`);
    if (process.env.GAZETTE_DEBUG) console.error(e);
    process.exitCode = (e instanceof ApiError && e.status < 500) || isDomainError(e) ? 2 : 1;
  } finally {
    await closeEmbedded();
  }
}

await main(process.argv);
