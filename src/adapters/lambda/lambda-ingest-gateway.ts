import type { LambdaClient } from '@aws-sdk/client-lambda';
import { domainErrorFrom } from '../../domain/errors.ts';
import { IngestResult, type StoredIngestRequest, type VerdictPreset } from '../../domain/update.ts';
import type { IngestGateway } from '../../ports/inbound.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';

const sdk = once(() => import('@aws-sdk/client-lambda'));

/**
 * POST /admin/inbound on AWS: the API function stores the upload under inbound/<messageId> and asks the
 * ingest function, synchronously, to ingest it, so the MIME parser (and hostile MIME) stays in one function.
 * The ingest function answers an IngestResult, or { error: { code, message } } for a domain error.
 */
export class LambdaIngestGateway implements IngestGateway {
  private readonly client: () => Promise<LambdaClient>;
  constructor(
    lambda: ClientSource<LambdaClient>,
    private readonly functionName: string,
  ) {
    this.client = clientGetter(lambda);
  }

  static connect(aws: AwsClientOptions, functionName: string): LambdaIngestGateway {
    return new LambdaIngestGateway(async () => new (await sdk()).LambdaClient(aws), functionName);
  }

  async ingestStored(messageId: string, verdicts: VerdictPreset) {
    const request: StoredIngestRequest = { gazetteIngest: { messageId, verdicts } };
    const out = await (await this.client()).send(
      new (await sdk()).InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    // An unhandled error (timeout, crash) comes back as FunctionError with the runtime's error JSON.
    if (out.FunctionError)
      throw new Error(`ingest function failed (${out.FunctionError}): ${text.slice(0, 500)}`);
    const body = JSON.parse(text || 'null') as unknown;
    const failure = body as { error?: { code?: unknown; message?: unknown } } | null;
    if (failure?.error && typeof failure.error.code === 'string') {
      const message = String(failure.error.message ?? failure.error.code);
      throw domainErrorFrom(failure.error.code, message) ?? new Error(message);
    }
    const result = IngestResult.safeParse(body);
    if (!result.success) throw new Error(`ingest function gave an unexpected answer: ${text.slice(0, 500)}`);
    return result.data;
  }
}
