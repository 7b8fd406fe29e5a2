// The services' dependency graph: order, cycles and reachability only. Scheduling state (what is
// running, what is ready) belongs to apply, not here.
//
// Edges are the reference's: depends_on, links, volumes_from (service:NAME or NAME) and
// network_mode service:NAME all make one service depend on another.

export type Condition = "service_started" | "service_healthy" | "service_completed_successfully";

export interface Dependency {
  service: string;
  condition: Condition;
  required: boolean;
  restart: boolean;
}

/** The fields of a (long-form) service that create edges. */
export interface ServiceEdges {
  depends_on?: Record<string, { condition?: string; required?: boolean; restart?: boolean } | null>;
  links?: string[];
  volumes_from?: string[];
  network_mode?: string;
}

export interface Graph {
  /** Services in declaration order. */
  readonly services: readonly string[];
  /** Each service's direct dependencies, in declaration order. */
  readonly dependencies: ReadonlyMap<string, readonly Dependency[]>;
}

function edgesOf(service: ServiceEdges): Dependency[] {
  const out = new Map<string, Dependency>();
  const add = (name: string, d: Partial<Dependency> = {}) => {
    if (!out.has(name)) {
      out.set(name, { service: name, condition: "service_started", required: true, restart: false, ...d });
    }
  };
  for (const [name, d] of Object.entries(service.depends_on ?? {})) {
    add(name, {
      condition: (d?.condition as Condition | undefined) ?? "service_started",
      required: d?.required ?? true,
      restart: d?.restart ?? false,
    });
  }
  for (const link of service.links ?? []) add(link.split(":")[0] ?? link);
  for (const from of service.volumes_from ?? []) {
    // volumes_from takes NAME, NAME:ro, service:NAME[:mode] or container:NAME[:mode]; containers are not services.
    const [kind, name] = from.split(":");
    if (kind === "container") continue;
    add((kind === "service" ? name : kind) ?? from);
  }
  if (service.network_mode?.startsWith("service:")) add(service.network_mode.slice("service:".length));
  return [...out.values()];
}

export function buildGraph(services: Record<string, ServiceEdges>): Graph {
  const dependencies = new Map<string, Dependency[]>();
  for (const [name, service] of Object.entries(services)) dependencies.set(name, edgesOf(service));
  return { services: Object.keys(services), dependencies };
}

/** Dependencies that name no service of the graph, as [service, missing] pairs. */
export function undefinedDependencies(graph: Graph): [string, string][] {
  const known = new Set(graph.services);
  const out: [string, string][] = [];
  for (const [name, deps] of graph.dependencies) {
    for (const d of deps) if (!known.has(d.service)) out.push([name, d.service]);
  }
  return out;
}

/** The first cycle found, as a closed path (["a", "b", "a"]), or undefined. */
export function findCycle(graph: Graph): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const d of graph.dependencies.get(name) ?? []) {
      if (!graph.dependencies.has(d.service)) continue;
      const cycle = visit(d.service);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of graph.services) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Services grouped by depth: level 0 has no dependencies, level n depends only on lower levels.
 * Within a level, declaration order. The graph must be acyclic (check findCycle first).
 */
export function levels(graph: Graph): string[][] {
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const deps = (graph.dependencies.get(name) ?? []).filter((d) => graph.dependencies.has(d.service));
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((x) => depthOf(x.service)));
    depth.set(name, d);
    return d;
  };
  const out: string[][] = [];
  for (const name of graph.services) {
    const d = depthOf(name);
    out[d] = [...(out[d] ?? []), name];
  }
  return out;
}

/** The named services and everything they depend on, transitively, in declaration order. */
export function withDependencies(graph: Graph, names: Iterable<string>): string[] {
  const seen = new Set<string>();
  const walk = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const d of graph.dependencies.get(name) ?? []) walk(d.service);
  };
  for (const n of names) walk(n);
  return graph.services.filter((s) => seen.has(s));
}

/** The named services and every service that depends on them, transitively, in declaration order. */
export function withDependents(graph: Graph, names: Iterable<string>): string[] {
  const seen = new Set<string>(names);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, deps] of graph.dependencies) {
      if (!seen.has(name) && deps.some((d) => seen.has(d.service))) {
        seen.add(name);
        grew = true;
      }
    }
  }
  return graph.services.filter((s) => seen.has(s));
}
