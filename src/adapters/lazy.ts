/**
 * Memoised async loader. The AWS SDK clients cost 150–250 ms each to load; adapters import theirs on first
 * use, so a Lambda pays at cold start only for the clients it actually calls.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load().catch((e) => {
      p = undefined; // a failed load (e.g. out of memory) may be retried
      throw e;
    });
    return p;
  };
}

/** A client given directly (tests) or made on first use (runtimes). */
export type ClientSource<C> = C | (() => Promise<C>);
export const clientGetter = <C extends object>(source: ClientSource<C>): (() => Promise<C>) =>
  typeof source === 'function' ? once(source as () => Promise<C>) : async () => source;
