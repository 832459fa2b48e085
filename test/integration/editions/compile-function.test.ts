import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { LOCAL_CREDENTIALS } from '../../../src/runtimes/local/stack.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

/**
 * The compile-edition Lambda handler itself, with its real Lambda composition root, pointed at the
 * local stand-ins through the SDK's standard endpoint variables: the quarterly schedule's event in,
 * a draft edition out.
 */
describe('compile-edition function', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let handler: (event: unknown) => Promise<{ ok: boolean; number?: number; error?: string }>;

  beforeAll(async () => {
    stack = await startTestStack();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      // The stack's own table (a fresh one per stack when CI runs against DynamoDB Local).
      GAZETTE_TABLE: stack.infra.table.name,
      AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:unused',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
      GAZETTE_FIRST_EDITION_NUMBER: '6',
    });
    const u = anUpdate({
      title: 'Scheduled item',
      receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      gsi1pk: 'UPDATES#approved',
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    ({ handler } = await import('../../../functions/compile-edition.ts'));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('compiles a draft when EventBridge Scheduler fires the quarterly schedule', async () => {
    expect(await handler({ gazetteScheduled: { type: 'compile-edition' } })).toEqual({
      ok: true,
      number: 6,
      items: 1,
    });
    const item = await stack.infra.table.get<{ status: string; compiledBy: string }>(keys.edition(6));
    expect(item).toMatchObject({ status: 'draft', compiledBy: 'system:scheduler' });
  });

  it('runs the background job the admin API starts, and reports a bad window without retrying', async () => {
    const job = { type: 'compile-edition', requestedBy: 'api:alice' };
    expect(await handler({ gazetteJob: job })).toMatchObject({ ok: true, number: 6 });
    const bad = await handler({
      gazetteJob: { ...job, windowStart: '2026-04-01T00:00:00Z', windowEnd: '2026-01-01T00:00:00Z' },
    });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/must be before its end/) });
  });

  it('rejects an event it does not understand', async () => {
    await expect(handler({ gazetteJob: { type: 'plan-send' } })).rejects.toThrow();
  });
});
