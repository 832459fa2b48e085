import type { LambdaClient } from '@aws-sdk/client-lambda';
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
}
