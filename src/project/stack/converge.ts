// Waiting on a deployed stack (beyond docker 20.10, which returns at once; docker 28 waits with
// --detach=false): dependencies' tasks before their dependents are deployed, and every service's convergence
// at the end, with a line per service whenever its count changes (`web 2/3 running`) and, on a failed
// rollout, the update's state and the failing task's error. The verdicts are pure (serviceProgress,
// dependencyReady); the loops ask the engine every 250 ms.
import type { Engine, SwarmService, SwarmTask } from "../engine/types.js";
import { stackLabel } from "../labels.js";
import type { DependsOn } from "../load/types.js";

export interface ProgressOutput {
  line(text: string): void;
}

export class RolloutError extends Error {}

const pollMs = 250;
/** Task states that end a task without it running its command to the end. */
const failedStates = new Set(["failed", "rejected", "orphaned"]);
/** After this many failed tasks since the deploy began, and fewer running than wanted, the rollout failed. */
const failuresToGiveUp = 3;

export interface ServiceProgress {
  state: "converging" | "converged" | "failed";
  running: number;
  desired: number;
  /** The update's state and message, or the latest failing task's error. */
  detail?: string;
}

function isJob(service: SwarmService): boolean {
  const mode = service.Spec.Mode ?? {};
  return Boolean(mode.ReplicatedJob || mode.GlobalJob);
}

/**
 * Where one service stands. `tasks` are its tasks; `since` the deploy's start (ISO time): older failures
 * (a previous deploy's) do not count.
 */
export function serviceProgress(service: SwarmService, tasks: SwarmTask[], since: string): ServiceProgress {
  const wanted = tasks.filter((t) => t.DesiredState === "running" || t.DesiredState === "complete");
  // A task runs the service as it is now when it was made from its current task template: right after an
  // update the orchestrator has not begun yet (the previous UpdateStatus, the old tasks running). The engine
  // gives the template a `Runtime` that it leaves out of the tasks' copies.
  const { Runtime: _runtime, ...template } = service.Spec.TaskTemplate;
  const templateText = JSON.stringify(template);
  const current = (t: SwarmTask) => {
    const { Runtime: _taskRuntime, ...spec } = t.Spec;
    return JSON.stringify(spec) === templateText;
  };
  const running = tasks.filter(
    (t) => t.DesiredState === "running" && t.Status.State === "running" && (isJob(service) || current(t)),
  ).length;
  const replicas = service.Spec.Mode?.Replicated?.Replicas;
  const desired =
    replicas ??
    service.ServiceStatus?.DesiredTasks ??
    wanted.filter((t) => t.DesiredState === "running").length;
  const failures = tasks
    .filter((t) => failedStates.has(t.Status.State) && t.Status.Timestamp >= since)
    .sort((a, b) => (a.Status.Timestamp < b.Status.Timestamp ? 1 : -1));
  const lastError = failures[0]
    ? (failures[0].Status.Err ?? failures[0].Status.Message ?? failures[0].Status.State)
    : undefined;
  const update = service.UpdateStatus;
  if (
    update?.State === "paused" ||
    update?.State === "rollback_paused" ||
    update?.State === "rollback_completed"
  ) {
    const detail = [`update ${update.State.replace("_", " ")}`, update.Message, lastError]
      .filter(Boolean)
      .join(": ");
    return { state: "failed", running, desired, detail };
  }
  if (isJob(service)) {
    const active = tasks.some(
      (t) => t.DesiredState !== "shutdown" && !["complete", ...failedStates].includes(t.Status.State),
    );
    if (failures.length >= failuresToGiveUp && !tasks.some((t) => t.Status.State === "complete")) {
      return { state: "failed", running, desired, ...(lastError ? { detail: lastError } : {}) };
    }
    return { state: active ? "converging" : "converged", running, desired };
  }
  const updating = update?.State === "updating" || update?.State === "rollback_started";
  if (
    !updating &&
    running >= desired &&
    running === wanted.filter((t) => t.DesiredState === "running").length
  ) {
    return { state: "converged", running, desired };
  }
  if (failures.length >= failuresToGiveUp && running < desired) {
    return { state: "failed", running, desired, ...(lastError ? { detail: lastError } : {}) };
  }
  // A task no node can take waits with the scheduler's reason ("no suitable node …"): shown, not fatal.
  const pending = tasks.find(
    (t) => t.DesiredState === "running" && t.Status.State === "pending" && t.Status.Err,
  );
  return {
    state: "converging",
    running,
    desired,
    ...(pending?.Status.Err ? { detail: pending.Status.Err } : lastError ? { detail: lastError } : {}),
  };
}

function shortName(namespace: string, name: string): string {
  return name.startsWith(`${namespace}_`) ? name.slice(namespace.length + 1) : name;
}

async function stackState(
  engine: Engine,
  namespace: string,
): Promise<{ services: SwarmService[]; tasks: Map<string, SwarmTask[]> }> {
  const filter = { label: { [stackLabel.namespace]: namespace } };
  const [services, tasks] = await Promise.all([
    engine.listServices(filter, { status: true }),
    engine.listTasks(filter),
  ]);
  const byService = new Map<string, SwarmTask[]>();
  for (const t of tasks) byService.set(t.ServiceID, [...(byService.get(t.ServiceID) ?? []), t]);
  return { services, tasks: byService };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every named service has converged; throws naming each service whose rollout failed. */
export async function awaitConvergence(
  engine: Engine,
  namespace: string,
  names: string[],
  out: ProgressOutput | undefined,
  since = new Date(Date.now() - 1000).toISOString(),
): Promise<void> {
  const shown = new Map<string, string>();
  for (;;) {
    const { services, tasks } = await stackState(engine, namespace);
    const watched = services.filter((s) => names.includes(s.Spec.Name));
    const progress = watched.map((s) => [s, serviceProgress(s, tasks.get(s.ID) ?? [], since)] as const);
    for (const [s, p] of progress) {
      const text = `${shortName(namespace, s.Spec.Name)} ${p.running}/${p.desired} running${p.detail && p.state !== "failed" ? ` (${p.detail})` : ""}`;
      if (shown.get(s.ID) !== text) {
        shown.set(s.ID, text);
        out?.line(text);
      }
    }
    const failed = progress.filter(([, p]) => p.state === "failed");
    if (failed.length > 0) {
      throw new RolloutError(
        failed
          .map(
            ([s, p]) =>
              `service "${shortName(namespace, s.Spec.Name)}" failed to converge: ${p.detail ?? "tasks failed"}`,
          )
          .join("\n"),
      );
    }
    if (progress.every(([, p]) => p.state === "converged") && watched.length === names.length) return;
    await sleep(pollMs);
  }
}

/** Whether a dependency's tasks meet a depends_on condition (a swarm task is `starting` until healthy). */
export function dependencyReady(condition: string, tasks: SwarmTask[]): boolean {
  const live = tasks.filter((t) => t.DesiredState !== "shutdown");
  if (condition === "service_completed_successfully") {
    return live.length > 0 && live.every((t) => t.Status.State === "complete");
  }
  if (condition === "service_healthy") return live.some((t) => t.Status.State === "running");
  return live.some((t) => t.Status.State === "running" || t.Status.State === "starting");
}

/**
 * Before a service is deployed: waits for each of its depends_on services that this deploy wrote to meet
 * the condition. A dependency whose tasks keep failing ends the deploy, naming both services.
 */
export async function awaitDependencies(
  engine: Engine,
  namespace: string,
  service: string,
  dependsOn: Record<string, DependsOn>,
  deployed: Set<string>,
  out: ProgressOutput | undefined,
): Promise<void> {
  const since = new Date(Date.now() - 1000).toISOString();
  for (const [dependency, d] of Object.entries(dependsOn)) {
    if (!deployed.has(dependency)) continue;
    const condition = d.condition ?? "service_started";
    const name = `${namespace}_${dependency}`;
    let said = false;
    for (;;) {
      const { services, tasks } = await stackState(engine, namespace);
      const target = services.find((s) => s.Spec.Name === name);
      if (!target || target.Spec.Mode?.Replicated?.Replicas === 0) break;
      const own = tasks.get(target.ID) ?? [];
      if (dependencyReady(condition, own)) break;
      const p = serviceProgress(target, own, since);
      if (p.state === "failed") {
        throw new RolloutError(
          `service "${service}" depends on "${dependency}" (${condition}), which failed: ${p.detail ?? "tasks failed"}`,
        );
      }
      if (!said) {
        out?.line(`Waiting for ${dependency} (${condition}) before ${service}`);
        said = true;
      }
      await sleep(pollMs);
    }
  }
}
