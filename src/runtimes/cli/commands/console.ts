/**
 * `gazette console`: sign a browser in to the secretariat console without copying the admin token. The
 * running embedded runtime issues a one-time code (POST /admin/console/sign-in-codes, admin token); the
 * console exchanges it once for a short-lived session (docs/console.md).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

interface SignInCode {
  url: string;
  expiresAt: string;
}

/** xdg-open (Linux desktops), open (macOS) or nothing: then the URL is printed for the user to open. */
function opener(): string | undefined {
  const names = process.platform === 'darwin' ? ['open'] : ['xdg-open'];
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {}
    }
  return undefined;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('console')
    .description('open the secretariat console in a browser, signed in (a one-time link valid 5 minutes)')
    .option('--url', 'print the one-time sign-in URL instead of opening a browser')
    .option('--as <name>', 'name recorded in the audit trail for this session (default: local-admin)')
    .action(async (opts: { url?: boolean; as?: string }) => {
      const api = await ctx.client();
      const code = await api.request<SignInCode>('POST', '/admin/console/sign-in-codes', {
        body: opts.as ? { name: opts.as } : {},
      });
      const launcher = opts.url || ctx.json ? undefined : opener();
      if (launcher) {
        spawn(launcher, [code.url], { detached: true, stdio: 'ignore' }).unref();
        ctx.print({ ...code, opened: true }, (c: SignInCode) => `Opening the console: ${c.url}`);
        return;
      }
      ctx.print(
        code,
        (c: SignInCode) =>
          `Open this link to sign in (once, before ${new Date(c.expiresAt).toLocaleTimeString()}):\n${c.url}`,
      );
    });
}
