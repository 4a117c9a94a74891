/**
 * What a command leaves open and must close when it ends (a Kafka connection kept for the whole command, say): the
 * CLI runs these after every command, so an open socket never keeps Node running. A module of its own, light to
 * import, so the CLI's start loads no client library.
 */
const closers = new Set<() => Promise<void>>();

/** Registers a closer; returns a function that removes it again (once it has closed by itself). */
export function closeAtExit(close: () => Promise<void>): () => void {
  closers.add(close);
  return () => closers.delete(close);
}

export async function closeAll(): Promise<void> {
  const pending = [...closers];
  closers.clear();
  await Promise.all(pending.map((close) => close().catch(() => undefined)));
}
