// Waiting for containers to be ready, driven by engine events: one subscription for the project's
// container events, opened before anything is started so no event is missed; each wait inspects its
// containers once, then again only when an event about one of them arrives (start, die, health_status …).
// So a dependant starts the moment its dependency is ready, not at the next tick of a poll (the reference
// polls every 500 ms: convergence.go waitDependencies).
import { isDryRunId } from "./engine/dry-run.js";
import type { ContainerDetails, Engine, Subscription } from "./engine/types.js";
import { projectFilter } from "./labels.js";

/** started: nothing to wait for; healthy: healthcheck passes; completed: exited 0; running_or_healthy: --wait. */
export type Readiness = "healthy" | "completed" | "running_or_healthy";

export class NotReadyError extends Error {
  constructor(
    message: string,
    /** The last failing health probe's output, when there is one. */
    readonly probeOutput?: string,
  ) {
    super(message);
    this.name = "NotReadyError";
  }
}

/** ready, not yet, or failed with a reason: the decision for one container, pure. */
export function judge(
  c: ContainerDetails,
  want: Readiness,
): { ready: true } | { ready: false; failed?: NotReadyError } {
  const { state } = c;
  if (want === "completed") {
    if (state.status === "exited" || state.status === "dead") {
      return state.exitCode === 0
        ? { ready: true }
        : { ready: false, failed: new NotReadyError(`didn't complete successfully: exit ${state.exitCode}`) };
    }
    return { ready: false };
  }
  if (state.status === "exited" || state.status === "dead") {
    // --wait: a one-shot job (restart: no) that exited 0 is done, not failed (beyond the reference, which
    // fails `up --wait` on it).
    if (want === "running_or_healthy" && state.exitCode === 0 && !state.running) return { ready: true };
    return { ready: false, failed: new NotReadyError(`container ${c.name} exited (${state.exitCode})`) };
  }
  if (!c.hasHealthcheck) {
    if (want === "running_or_healthy") return state.running ? { ready: true } : { ready: false };
    return { ready: false, failed: new NotReadyError(`container ${c.name} has no healthcheck configured`) };
  }
  switch (state.health) {
    case "healthy":
      return { ready: true };
    case "unhealthy": {
      const last = [...(state.healthLog ?? [])].reverse().find((l) => l.exitCode !== 0);
      const output = last?.output.trim();
      return {
        ready: false,
        failed: new NotReadyError(
          `container ${c.name} is unhealthy${output ? `: last health check (exit ${last?.exitCode}): ${output}` : ""}`,
          output,
        ),
      };
    }
    default:
      return { ready: false };
  }
}

export class ReadinessWatch {
  private readonly waiters = new Map<string, Set<() => void>>();

  private constructor(
    private readonly engine: Engine,
    private subscription?: Subscription,
  ) {}

  static async open(engine: Engine, project: string): Promise<ReadinessWatch> {
    const watch = new ReadinessWatch(engine);
    // Filtered by label only: Engine 20.10 delivers nothing to a subscription filtered by both type and
    // label (seen here); waking a waiter on a non-container event only costs an inspect.
    watch.subscription = await engine.subscribeEvents({ label: projectFilter(project) }, (event) => {
      for (const wake of watch.waiters.get(event.id) ?? []) wake();
    });
    return watch;
  }

  /**
   * Resolves when every container is ready; rejects with the first failure, or on timeout (ms).
   * `onReady` is told about each container as it becomes ready.
   */
  async waitFor(
    ids: readonly string[],
    want: Readiness,
    options: { timeoutMs?: number; onReady?: (c: ContainerDetails) => void } = {},
  ): Promise<void> {
    await Promise.all(ids.map((id) => this.waitOne(id, want, options)));
  }

  private waitOne(
    id: string,
    want: Readiness,
    options: { timeoutMs?: number; onReady?: (c: ContainerDetails) => void },
  ): Promise<void> {
    // --dry-run: a container that was only pretended is ready at once.
    if (isDryRunId(id)) {
      return this.engine.inspectContainer(id).then((details) => options.onReady?.(details));
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let checking = false;
      let again = false;
      const wakers = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, wakers);
      const done = (error?: Error) => {
        if (settled) return;
        settled = true;
        clear();
        wakers.delete(wake);
        if (timer) clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = async () => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            const details = await this.engine.inspectContainer(id);
            const verdict = judge(details, want);
            if (verdict.ready) {
              options.onReady?.(details);
              return done();
            }
            if (verdict.failed) return done(verdict.failed);
          } while (again && !settled);
        } catch (error) {
          done(error as Error);
        } finally {
          checking = false;
        }
      };
      const wake = () => void check();
      wakers.add(wake);
      // A safety net should an event be lost (a reconnecting engine): look again now and then.
      const safety = setInterval(wake, 5000);
      safety.unref?.();
      const clear = () => clearInterval(safety);
      const timer =
        options.timeoutMs !== undefined
          ? setTimeout(
              () => done(new NotReadyError(`timeout waiting for container ${id.slice(0, 12)}`)),
              options.timeoutMs,
            )
          : undefined;
      void check();
    });
  }

  close(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }
}
