import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { BackgroundJob, JobRunner } from '../../ports/jobs.ts';
import type { AwsClientOptions } from '../aws-options.ts';

/** Background jobs on AWS: an asynchronous invoke (Lambda retries twice, then its on-failure DLQ). */
export class LambdaJobRunner implements JobRunner {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionFor: (job: BackgroundJob) => string,
  ) {}

  static connect(aws: AwsClientOptions, functionFor: (job: BackgroundJob) => string): LambdaJobRunner {
    return new LambdaJobRunner(new LambdaClient(aws), functionFor);
  }

  async run(job: BackgroundJob): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionFor(job),
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ gazetteJob: job })),
      }),
    );
  }
}
