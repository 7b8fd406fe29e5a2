// Runs one task per service in dependency order, as many at once as the graph and the concurrency allow:
// a service's task starts the moment the tasks of all its dependencies (among the selected services) have
// finished, not when a whole "level" has. Reverse order (down, stop) waits on dependants instead.
// The first failure stops new tasks from starting; running ones finish; then it is thrown.
import PQueue from "p-queue";
import type { Graph } from "./graph.js";

export interface ScheduleOptions {
  reverse?: boolean;
  /** At most this many tasks at once; Infinity (the default) or -1 for no limit (--parallel). */
  concurrency?: number;
}

export async function inDependencyOrder(
  graph: Graph,
  services: readonly string[],
  task: (service: string) => Promise<void>,
  options: ScheduleOptions = {},
): Promise<void> {
  const selected = new Set(services);
  const waitsOn = new Map<string, Set<string>>();
  for (const name of services) waitsOn.set(name, new Set());
  for (const name of services) {
    for (const d of graph.dependencies.get(name) ?? []) {
      if (!selected.has(d.service) || d.service === name) continue;
      if (options.reverse) waitsOn.get(d.service)?.add(name);
      else waitsOn.get(name)?.add(d.service);
    }
  }
  const concurrency =
    options.concurrency === undefined || options.concurrency < 1
      ? Number.POSITIVE_INFINITY
      : options.concurrency;
  const queue = new PQueue({ concurrency });
  const started = new Set<string>();
  let failure: { error: unknown } | undefined;

  return new Promise<void>((resolve, reject) => {
    let running = 0;
    const finish = () => {
      if (running > 0) return;
      if (failure) reject(failure.error);
      else if (started.size < services.length) {
        // Only a cycle leaves services waiting forever; the loader refuses cycles, so this is a bug guard.
        reject(new Error(`dependency cycle among ${services.filter((s) => !started.has(s)).join(", ")}`));
      } else resolve();
    };
    const launch = () => {
      if (failure) return;
      for (const name of services) {
        if (started.has(name) || (waitsOn.get(name)?.size ?? 0) > 0) continue;
        started.add(name);
        running++;
        void queue
          .add(() => task(name))
          .then(
            () => {
              for (const waiting of waitsOn.values()) waiting.delete(name);
            },
            (error: unknown) => {
              failure ??= { error };
            },
          )
          .finally(() => {
            running--;
            launch();
            finish();
          });
      }
    };
    launch();
    finish();
  });
}
