/**
 * `npm start`: the embedded default. One process, no AWS account; state persists under GAZETTE_DATA_DIR
 * (default .gazette/data) so a second start resumes where the first stopped.
 */
import { LocalConfigSchema, loadConfig } from '../../config/config.ts';
import { isDomainError } from '../../domain/errors.ts';
import { startLocalStack } from './stack.ts';

async function main() {
  let config: ReturnType<typeof loadConfig<typeof LocalConfigSchema>>;
  try {
    config = loadConfig(LocalConfigSchema);
  } catch (e) {
    console.error(isDomainError(e) ? e.message : e);
    process.exit(2);
  }
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({ config });
  } catch (e) {
    // A port in use or a bad setting: one line naming the variable, not a stack trace.
    if (!isDomainError(e)) throw e;
    console.error(`gazette: ${e.message}`);
    process.exit(2);
  }
  const u = stack.urls;
  console.log(
    [
      'Gazette embedded runtime is up.',
      `  Console (secretariat)      ${u.console}      sign in: npx gazette console`,
      `  HTTP API (public + admin)  ${u.api}        admin: Authorization: Bearer <admin token>`,
      `  Archive (static site)      ${u.archive}`,
      `  Sent mail (SES web inbox)  ${u.inbox}`,
      `  Inbound SMTP (member mail) ${u.smtp}   → to ${config.GAZETTE_UPDATES_ADDRESS}`,
      `  DynamoDB API (dynalite)    ${u.dynamodb}`,
      `  SES v2 API                 ${u.ses}`,
      `  S3 API (s3rver)            ${u.s3}`,
      `  Data folder                ${config.GAZETTE_DATA_DIR}`,
      'Try: npx gazette --help    Stop: Ctrl-C',
    ].join('\n'),
  );
  // Shown once, on the start that made it; later the CLI reads it from the data folder itself.
  if (stack.secrets.adminTokenSource === 'generated')
    console.log(
      [
        '',
        `New admin token (shown once; kept in ${stack.secrets.file}, mode 0600):`,
        `  ${stack.secrets.adminToken}`,
        'npx gazette finds it there; other clients send it as Authorization: Bearer <token>.',
      ].join('\n'),
    );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A big send at the local rate can take minutes to drain: a second Ctrl-C must not be ignored.
      console.log(
        `\n${signal} again: stopping now. Sends still queued resume at the next npm start (nobody is mailed twice).`,
      );
      await stack.stop({ drain: false }).catch(() => {});
      process.exit(130);
    }
    stopping = true;
    console.log(
      `\n${signal}: stopping (finishing in-flight work, saving state)… Ctrl-C again to stop at once.`,
    );
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
