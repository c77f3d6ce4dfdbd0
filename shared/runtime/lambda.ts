/**
 * A Lambda entry whose adapters are built on the first event (cold start) and reused after. Tests import the
 * handler factories instead and pass their own adapters.
 */
export function lazyHandler<E, R>(build: () => Promise<(event: E) => Promise<R>>): (event: E) => Promise<R> {
  let handler: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    handler ??= build().catch((error: unknown) => {
      handler = undefined;
      throw error;
    });
    return (await handler)(event);
  };
}
