import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { BackgroundJob, JobRunner } from '../../ports/jobs.ts';

/** Background jobs on AWS: an asynchronous invoke (Lambda retries twice, then its on-failure DLQ). */
export class LambdaJobRunner implements JobRunner {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionFor: (job: BackgroundJob) => string,
  ) {}

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
