/**
 * Runs tasks with at most `limit` in flight, each started as soon as one before it settles. If a
 * task throws, the returned promise rejects with its error (the tasks left still run).
 *
 * @example
 * await runWithLimit(partitions.map((p) => () => read(p)), 8);
 */
export async function runWithLimit(
  tasks: readonly (() => Promise<void>)[],
  limit: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
