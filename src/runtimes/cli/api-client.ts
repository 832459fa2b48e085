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
    };
    if (this.auth.kind === 'bearer') {
      headers.authorization = `Bearer ${this.auth.token}`;
    } else {
      // Loaded only for deployed stacks: the AWS credential chain is slow to import.
      const { sigv4Headers } = await import('../../adapters/http/sigv4-fetch.ts');
      Object.assign(headers, await sigv4Headers(this.auth.region, url, method, headers, body));
      delete headers.host; // fetch sets it (to the same value that was signed)
    }
    try {
      return await fetch(url, { method, headers, body });
    } catch (e) {
      // fetch says only "fetch failed"; the cause names what went wrong (ECONNREFUSED, ENOTFOUND …).
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new Error(
        `cannot reach the Gazette API at ${this.baseUrl} (${why}): is it running, and is --api / GAZETTE_API_URL right?`,
      );
    }
  }
}
