import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = body as { error?: string; message?: string } | undefined;
    super(b?.message ? `${b.error ?? 'error'}: ${b.message}` : `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body (e.g. an .eml file) instead of JSON. */
  raw?: Uint8Array;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

/**
 * The CLI talks to the admin API only, so it works the same against the embedded runtime (bearer token)
 * and a deployed stack (SigV4-signed with the caller's AWS credentials; the admin routes use IAM auth).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly auth: { kind: 'bearer'; token: string } | { kind: 'sigv4'; region: string },
  ) {}

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = await res.text();
    let data: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) data = JSON.parse(text);
    if (!res.ok) throw new ApiError(res.status, data);
    return data as T;
  }

  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.baseUrl.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body =
      opts.raw ?? (opts.body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(opts.body)));
    const headers: Record<string, string> = {
      'content-type': opts.contentType ?? (opts.raw ? 'application/octet-stream' : 'application/json'),
      host: url.host,
    };
    if (this.auth.kind === 'bearer') {
      headers.authorization = `Bearer ${this.auth.token}`;
    } else {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      const signer = new SignatureV4({
        service: 'execute-api',
        region: this.auth.region,
        credentials: fromNodeProviderChain(),
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      });
      Object.assign(headers, signed.headers);
    }
    delete headers.host;
    return fetch(url, { method, headers, body });
  }
}
