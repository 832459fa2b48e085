import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports/queue.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';

/** SQS's longest DelaySeconds. */
const MAX_DELAY_SECONDS = 900;

const sdk = once(() => import('@aws-sdk/client-sqs'));

/** SQS queue: JSON bodies, batches of 10 (the SQS maximum); partial failures are retried, then thrown. */
export class SqsQueue<T> implements Queue<T> {
  private readonly client: () => Promise<SQSClient>;
  constructor(
    sqs: ClientSource<SQSClient>,
    private readonly queueUrl: string,
  ) {
    this.client = clientGetter(sqs);
  }

  static connect<T>(aws: AwsClientOptions, queueUrl: string): SqsQueue<T> {
    return new SqsQueue<T>(async () => new (await sdk()).SQSClient(aws), queueUrl);
  }

  /** `delayMs` becomes DelaySeconds (whole seconds, rounded up, at most SQS's 900). */
  async sendBatch(messages: T[], opts: { delayMs?: number } = {}): Promise<void> {
    const delay = opts.delayMs ? Math.min(MAX_DELAY_SECONDS, Math.ceil(Math.max(0, opts.delayMs) / 1000)) : 0;
    for (let i = 0; i < messages.length; i += 10) {
      let entries = messages.slice(i, i + 10).map((m, j) => ({
        Id: String(j),
        MessageBody: JSON.stringify(m),
        ...(delay ? { DelaySeconds: delay } : {}),
      }));
      for (let attempt = 0; entries.length && attempt < 5; attempt++) {
        const out = await (await this.client()).send(
          new (await sdk()).SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
        if (entries.length) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
      if (entries.length) throw new Error(`SQS refused ${entries.length} message(s) after retries`);
    }
  }
}
