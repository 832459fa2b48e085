import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore, BlobStores } from '../../ports/blob-store.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';

const sdk = once(() => import('@aws-sdk/client-s3'));

export class S3BlobStore implements BlobStore {
  private readonly client: () => Promise<S3Client>;
  constructor(
    s3: ClientSource<S3Client>,
    readonly bucket: string,
  ) {
    this.client = clientGetter(s3);
  }

  /** The three buckets over one client (path-style addressing when an endpoint is given: s3rver needs it). */
  static forBuckets(
    aws: AwsClientOptions,
    names: { raw: string; content: string; archive: string },
  ): BlobStores {
    const s3 = once(
      async () => new (await sdk()).S3Client({ ...aws, forcePathStyle: aws.endpoint !== undefined }),
    );
    return {
      raw: new S3BlobStore(s3, names.raw),
      content: new S3BlobStore(s3, names.content),
      archive: new S3BlobStore(s3, names.archive),
    };
  }

  async put(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    opts: { cacheControl?: string } = {},
  ) {
    await (await this.client()).send(
      new (await sdk()).PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        CacheControl: opts.cacheControl,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await (await this.client()).send(
      new (await sdk()).GetObjectCommand({ Bucket: this.bucket, Key: key }),
    );
    if (!out.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return out.Body.transformToByteArray();
  }

  async getText(key: string): Promise<string> {
    return Buffer.from(await this.get(key)).toString('utf8');
  }

  async exists(key: string): Promise<boolean> {
    try {
      await (await this.client()).send(
        new (await sdk()).HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return true;
    } catch (e) {
      const name = (e as Error).name;
      if (
        name === 'NotFound' ||
        name === 'NoSuchKey' ||
        (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await (await this.client()).send(
        new (await sdk()).ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await (await this.client()).send(
      new (await sdk()).DeleteObjectCommand({ Bucket: this.bucket, Key: key }),
    );
  }
}
