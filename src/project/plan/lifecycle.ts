// The plans of the day-2 commands on existing containers, as the reference orders them
// (pkg/compose/{stop,restart,kill,remove}.go, 2.26.1): `stop` dependants first, `restart` dependencies
// first over the depends_on entries with `restart: true`, `kill` and `rm` all at once. Pure: the
// containers come from the engine (src/project/lifecycle.ts), apply carries the plan out.
import type { ContainerSummary } from "../engine/types.js";
import { buildGraph, type Graph, type ServiceEdges, withDependents } from "../graph.js";
import { label } from "../labels.js";
import { canonicalName, isOneOff, serviceOf } from "../state.js";
import { type Action, actionAdder, type Plan, planOf } from "./plan.js";

/**
 * The services seen on the engine, with the dependencies their depends_on label records
 * (`service:condition:restart`, restart true when the label does not say, as the reference reads it).
 */
export function graphFromLabels(containers: readonly ContainerSummary[]): Graph {
  const services: Record<string, ServiceEdges> = {};
  for (const c of containers) {
    if (isOneOff(c)) continue;
    const name = serviceOf(c);
    if (services[name]) continue;
    const depends: NonNullable<ServiceEdges["depends_on"]> = {};
    for (const entry of (c.labels[label.dependsOn] ?? "").split(",")) {
      if (!entry) continue;
      const [service = "", condition, restart] = entry.split(":");
      depends[service] = {
        condition: condition ?? "service_started",
        restart: restart === undefined ? true : /^(1|t|true)$/i.test(restart),
        required: true,
      };
    }
    services[name] = { depends_on: depends };
  }
  return buildGraph(services);
}

/** Services in an order where each comes after those it depends on (or before, `reverse`). */
function ordered(graph: Graph, reverse: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (s: string) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of graph.dependencies.get(s) ?? []) if (graph.dependencies.has(d.service)) visit(d.service);
    out.push(s);
  };
  for (const s of graph.services) visit(s);
  return reverse ? out.reverse() : out;
}

/** stop [SERVICE…]: every container of each selected service (stopped ones too), dependants first. */
export function planStop(
  project: string,
  graph: Graph,
  containers: readonly ContainerSummary[],
  selected: readonly string[],
): Plan {
  const actions: Action[] = [];
  const add = actionAdder(actions);
  const stops = new Map<string, number[]>();
  for (const service of ordered(graph, true)) {
    const after = withDependents(graph, [service])
      .filter((d) => d !== service)
      .flatMap((d) => stops.get(d) ?? []);
    const mine = selected.includes(service)
      ? containers
          .filter((c) => serviceOf(c) === service && !isOneOff(c))
          .map((c) =>
            add({ kind: "stop", resource: canonicalName(c), service, id: c.id, cause: "stop", after }),
          )
      : [];
    stops.set(service, mine);
  }
  return planOf(project, actions);
}

/** restart: each service's containers once its dependencies' are restarted (the graph given is already
 * the one of `restart: true` entries over the services acted on). */
export function planRestart(
  project: string,
  graph: Graph,
  containers: readonly ContainerSummary[],
  services: readonly string[],
): Plan {
  const actions: Action[] = [];
  const add = actionAdder(actions);
  const restarts = new Map<string, number[]>();
  for (const service of ordered(graph, false)) {
    if (!services.includes(service)) continue;
    const after = (graph.dependencies.get(service) ?? []).flatMap((d) => restarts.get(d.service) ?? []);
    restarts.set(
      service,
      containers
        .filter((c) => serviceOf(c) === service)
        .map((c) =>
          add({ kind: "restart", resource: canonicalName(c), service, id: c.id, cause: "restart", after }),
        ),
    );
  }
  return planOf(project, actions);
}

/** kill: every container given, at once. */
export function planKill(project: string, containers: readonly ContainerSummary[], signal: string): Plan {
  const actions: Action[] = [];
  const add = actionAdder(actions);
  for (const c of containers) {
    add({
      kind: "kill",
      resource: canonicalName(c),
      service: serviceOf(c),
      id: c.id,
      signal,
      cause: `kill -s ${signal}`,
      after: [],
    });
  }
  return planOf(project, actions);
}

/** pause / unpause: the running containers given, at once; one "Paused" / "Unpaused" event each. */
export function planPause(project: string, containers: readonly ContainerSummary[], unpause: boolean): Plan {
  const actions: Action[] = [];
  const add = actionAdder(actions);
  const kind = unpause ? "unpause" : "pause";
  for (const c of containers) {
    add({ kind, resource: canonicalName(c), service: serviceOf(c), id: c.id, cause: kind, after: [] });
  }
  return planOf(project, actions);
}

/** rm: the stopped containers given, at once, without stopping them first. */
export function planRemoveStopped(
  project: string,
  containers: readonly ContainerSummary[],
  options: { force?: boolean; volumes?: boolean },
): Plan {
  const actions: Action[] = [];
  const add = actionAdder(actions);
  for (const c of containers) {
    add({
      kind: "remove",
      resource: canonicalName(c),
      service: serviceOf(c),
      id: c.id,
      force: true,
      engineForce: options.force === true,
      ...(options.volumes ? { volumes: true } : {}),
      cause: "rm (stopped)",
      after: [],
    });
  }
  return planOf(project, actions);
}
