// Day-2 operations on a project's existing containers: stop, restart, kill, pause, unpause, remove, wait.
// Each is the reference's (pkg/compose/{stop,restart,kill,pause,remove,wait}.go, 2.26.1) in behaviour and
// progress events; the CLI decides which project and prints. Without a loaded project, the services and
// their dependencies come from the containers' labels, as the reference's projectFromName builds them.
// stop, restart, kill, pause, unpause and rm read the containers here, plan (src/project/plan/lifecycle.ts)
// and apply.

import type { ApplyOptions, StartOptions } from "./apply.js";
import { serviceScale } from "./converge.js";
import type { ContainerSummary, Engine } from "./engine/types.js";
import { type Graph, withDependents } from "./graph.js";
import type { Project } from "./load/index.js";
import { projectGraph, servicesOf, targetServices } from "./plan/desired.js";
import {
  graphFromLabels,
  planKill,
  planPause,
  planRemoveStopped,
  planRestart,
  planStop,
} from "./plan/lifecycle.js";
import { type Plan, PlanError, planEvents, planStart } from "./plan/plan.js";
import type { Progress } from "./progress.js";
import { composeContainers, isOneOff, projectContainers, serviceOf } from "./state.js";

export interface OpsContext {
  engine: Engine;
  name: string;
  project?: Project;
  progress: Progress;
  /** --parallel, when limited. */
  concurrency?: number;
  /** --dry-run: the plan is reported, not carried out. */
  dryRun?: boolean;
  /** Warnings printed like the reference's WARN lines. */
  warn?: (text: string) => void;
}

export function projectServiceNames(project: Project): string[] {
  return Object.keys(servicesOf(project));
}

function graphOf(context: OpsContext, containers: readonly ContainerSummary[]): Graph {
  return context.project ? projectGraph(context.project) : graphFromLabels(containers);
}

// ------------------------------------------------------------------------------------------------- stop

/** stop [SERVICE…]: every container of each service (stopped ones too), dependants first. */
export async function stopServices(
  context: OpsContext,
  options: { services?: readonly string[]; timeout?: number },
): Promise<void> {
  const all = await composeContainers(context.engine, context.name, { stopped: true, oneoff: "exclude" });
  const graph = graphOf(context, all);
  const selected = options.services?.length ? options.services : graph.services;
  await apply(context, planStop(context.name, graph, all, selected), timeoutOf(options));
}

/** Carries out a plan of these commands (src/project/apply.ts), or with --dry-run reports it. */
async function apply(
  context: OpsContext,
  plan: Plan,
  options: Pick<ApplyOptions, "timeout" | "start" | "watch"> = {},
): Promise<void> {
  if (context.dryRun) {
    for (const event of planEvents(plan)) context.progress.event(event);
    return;
  }
  const { applyPlan } = await import("./apply.js");
  await applyPlan(
    {
      engine: context.engine,
      ...(context.project ? { project: context.project } : {}),
      progress: context.progress,
      warn: context.warn ?? (() => {}),
    },
    plan,
    { imageIds: {}, ...options, ...(context.concurrency ? { concurrency: context.concurrency } : {}) },
  );
}

// ------------------------------------------------------------------------------------------------ start

/**
 * start [SERVICE…]: the start phase of `up` on the containers that exist, in dependency order, each service
 * once its dependencies are ready; with --wait, then every container running or healthy. Without files,
 * the services and their dependencies come from the containers' labels.
 */
export async function startServices(
  context: OpsContext,
  options: StartOptions & { services?: readonly string[] },
): Promise<void> {
  const { engine, project } = context;
  const existing = await projectContainers(engine, context.name, {});
  const named = options.services ?? [];
  const graph = graphOf(context, existing);
  let services: string[];
  if (project) services = targetServices(project, named);
  else {
    for (const n of named) {
      if (!graph.dependencies.has(n)) throw new PlanError(`no such service: "${n}": not found`);
    }
    services = named.length ? [...named] : [...graph.services];
  }
  const containers = new Map(graph.services.map((s) => [s, existing.filter((c) => serviceOf(c) === s)]));
  const scaledToZero = new Set(
    Object.entries(project ? servicesOf(project) : {})
      .filter(([, s]) => serviceScale(s) === 0)
      .map(([name]) => name),
  );
  const plan = planStart({ project: context.name, graph, services, containers, scaledToZero });
  if (context.dryRun) return apply(context, plan);
  const { ReadinessWatch } = await import("./readiness.js");
  const watch = await ReadinessWatch.open(engine, context.name);
  try {
    await apply(context, plan, { start: options, watch });
    if (options.wait) {
      const { waitProject } = await import("./apply.js");
      const selected = { services, containers: new Map(services.map((s) => [s, containers.get(s) ?? []])) };
      await waitProject({ ...context, warn: context.warn ?? (() => {}) }, selected, options, watch);
    }
  } finally {
    watch.close();
  }
}

/** -t, when given. */
function timeoutOf(options: { timeout?: number }): Pick<ApplyOptions, "timeout"> {
  return options.timeout !== undefined ? { timeout: options.timeout } : {};
}

// ---------------------------------------------------------------------------------------------- restart

/**
 * restart [SERVICE…]: only depends_on entries with `restart: true` order the work (the reference drops the
 * others); named services bring their dependants along unless --no-deps.
 */
export async function restartServices(
  context: OpsContext,
  options: { services?: readonly string[]; timeout?: number; noDeps?: boolean },
): Promise<void> {
  const { engine } = context;
  const all = await composeContainers(engine, context.name, { stopped: true, oneoff: "exclude" });
  const full = graphOf(context, all);
  const named = options.services ?? [];
  let names = [...full.services];
  if (named.length) {
    for (const n of named) if (!full.dependencies.has(n)) throw new Error(`no such service: ${n}`);
    if (options.noDeps) names = names.filter((s) => named.includes(s));
  }
  const dependencies = new Map(
    names.map((s) => [
      s,
      (full.dependencies.get(s) ?? []).filter((d) => d.restart && names.includes(d.service)),
    ]),
  );
  const graph: Graph = { services: names, dependencies };
  const services = named.length ? withDependents(graph, named) : names;
  await apply(context, planRestart(context.name, graph, all, services), timeoutOf(options));
}

// ------------------------------------------------------------------------------------------------- kill

/** kill [SERVICE…]: running containers, one-offs included; orphans only with --remove-orphans. */
export async function killServices(
  context: OpsContext,
  options: { services?: readonly string[]; signal: string; removeOrphans?: boolean },
): Promise<"none" | "killed"> {
  const { engine } = context;
  const services = options.services ?? [];
  let containers = await composeContainers(engine, context.name, {
    stopped: false,
    oneoff: "include",
    services,
  });
  if (!options.removeOrphans) {
    // Without a file the reference's project is the non-one-off containers' services.
    const known = context.project
      ? projectServiceNames(context.project)
      : [...new Set(containers.filter((c) => !isOneOff(c)).map(serviceOf))];
    containers = containers.filter((c) => known.includes(serviceOf(c)));
  }
  if (containers.length === 0) return "none";
  await apply(context, planKill(context.name, containers, options.signal));
  return "killed";
}

// ---------------------------------------------------------------------------------------- pause, unpause

/** pause / unpause [SERVICE…]: the running containers (no one-offs); one "Paused"/"Unpaused" event each. */
export async function pauseServices(
  context: OpsContext,
  options: { services?: readonly string[]; unpause?: boolean },
): Promise<void> {
  const { engine } = context;
  let containers = await composeContainers(engine, context.name, {
    stopped: false,
    oneoff: "exclude",
    services: options.services ?? [],
  });
  if (context.project) {
    const known = projectServiceNames(context.project);
    containers = containers.filter((c) => known.includes(serviceOf(c)));
  }
  await apply(context, planPause(context.name, containers, options.unpause === true));
}

// --------------------------------------------------------------------------------------------------- rm

/**
 * The containers `rm` would remove: the services' containers that are not running, checked by inspecting
 * each one as the reference does (the listing's state can be stale); gone ones are skipped.
 */
export async function stoppedContainers(
  context: Pick<OpsContext, "engine" | "name" | "project">,
  services: readonly string[],
): Promise<ContainerSummary[]> {
  const { engine } = context;
  let containers = await composeContainers(engine, context.name, {
    stopped: true,
    oneoff: "exclude",
    services,
  });
  if (context.project) {
    const known = projectServiceNames(context.project);
    containers = containers.filter((c) => known.includes(serviceOf(c)));
  }
  const out: ContainerSummary[] = [];
  for (const c of containers) {
    try {
      const details = await engine.inspectContainer(c.id);
      if (!details.state.running) out.push(c);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) continue;
      throw error;
    }
  }
  return out;
}

export async function removeStopped(
  context: OpsContext,
  containers: readonly ContainerSummary[],
  options: { force?: boolean; volumes?: boolean },
): Promise<void> {
  await apply(context, planRemoveStopped(context.name, containers, options));
}

// ------------------------------------------------------------------------------------------------- wait

/**
 * wait SERVICE…: waits on every running container of the services (one-offs included) and resolves with
 * the exit code of the last one to stop (observed on 2.26.1: it returns once all have stopped, not the
 * first, despite its help text); `onExit` sees each as it stops.
 */
export async function waitServices(
  engine: Engine,
  name: string,
  services: readonly string[],
  onExit: (container: ContainerSummary, code: number) => void,
): Promise<number> {
  const containers = await composeContainers(engine, name, { stopped: false, oneoff: "include", services });
  if (containers.length === 0) throw new Error(`no containers for project "${name}"`);
  let last = 0;
  await Promise.all(
    containers.map(async (c) => {
      const code = await engine.waitContainer(c.id);
      onExit(c, code);
      last = code;
    }),
  );
  return last;
}
