/**
 * JVM options every server of the local stack gets on top of its own. By default the JIT stops at its first tier
 * (C1): a server that starts, serves a test run and stops spends much of its start compiling with C2, and on a
 * two-core laptop six servers starting at once wait for each other's compiler threads. Measured with
 * `npm run bench -- --only stack`, which starts the stack both ways. WORKSHOP_STACK_JVM_OPTS replaces the default
 * (split on spaces; empty for none: the JVM's own tiered compilation, as the stack ran before).
 */
export const defaultStackJvmOptions = '-XX:TieredStopAtLevel=1';

export function extraJvmOptions(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.WORKSHOP_STACK_JVM_OPTS ?? defaultStackJvmOptions).split(/\s+/).filter((option) => option !== '');
}

/** A heap of `heapMb` MiB, the same at the start as at the most. */
export function heapOptions(heapMb: number): string[] {
  return [`-Xms${heapMb}m`, `-Xmx${heapMb}m`];
}
