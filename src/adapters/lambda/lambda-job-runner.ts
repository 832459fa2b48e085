import type { LambdaClient } from '@aws-sdk/client-lambda';
import { domainErrorFrom } from '../../domain/errors.ts';
import type { TemplateWorkRequest } from '../../domain/template-set.ts';
import type { BackgroundJob, JobRunner } from '../../ports/jobs.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';

const sdk = once(() => import('@aws-sdk/client-lambda'));

/** Background jobs on AWS: an asynchronous invoke (Lambda retries twice, then its on-failure DLQ). */
export class LambdaJobRunner implements JobRunner {
  private readonly client: () => Promise<LambdaClient>;
  constructor(
    lambda: ClientSource<LambdaClient>,
    private readonly functionFor: (job: BackgroundJob) => string,
  ) {
    this.client = clientGetter(lambda);
  }

  static connect(aws: AwsClientOptions, functionFor: (job: BackgroundJob) => string): LambdaJobRunner {
    return new LambdaJobRunner(async () => new (await sdk()).LambdaClient(aws), functionFor);
  }

  async run(job: BackgroundJob): Promise<void> {
    await (await this.client()).send(
      new (await sdk()).InvokeCommand({
        FunctionName: this.functionFor(job),
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ gazetteJob: job })),
      }),
    );
  }

  /**
   * Template checks and previews: a synchronous invoke of the compile function (where mjml is), which
   * answers the result, or { error: { code, message } } for a domain error (thrown again here as one).
   */
  async ask(request: TemplateWorkRequest): Promise<unknown> {
    const out = await (await this.client()).send(
      new (await sdk()).InvokeCommand({
        FunctionName: this.functionFor({ type: 'compile-edition', requestedBy: 'templates' }),
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError)
      throw new Error(`compile function failed (${out.FunctionError}): ${text.slice(0, 500)}`);
    const body = JSON.parse(text || 'null') as { error?: { code?: unknown; message?: unknown } } | null;
    if (body?.error && typeof body.error.code === 'string') {
      const message = String(body.error.message ?? body.error.code);
      throw domainErrorFrom(body.error.code, message) ?? new Error(message);
    }
    return body;
  }
}
