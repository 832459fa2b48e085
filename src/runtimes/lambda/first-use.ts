/**
 * A value built on the first call and kept for the container's life. Handlers compose their area this
 * way, in the first invocation instead of at module load (issue 17: the cold start's init measures only
 * what loading costs). A build that throws (a missing variable) is not kept: the next invocation retries
 * it and fails with the same message.
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
