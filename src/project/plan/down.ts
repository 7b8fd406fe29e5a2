// The plan of `down` (the reference's pkg/compose/down.go, 2.26): each service's containers stopped and
// removed once those of the services depending on it are, then the containers of services no longer in the
// file (one-offs always, beyond the reference 2.26, as they keep the networks busy; orphans with
// --remove-orphans), then the project's networks, with -v its named volumes (never external ones), with
// --rmi its images one after another. Pure, from a snapshot of the engine (observeDown). Works from the
// loaded project, or from the engine's labels alone when there is no compose file.
import type { ContainerSummary, Engine, NetworkSummary } from "../engine/types.js";
import { buildGraph, type Graph } from "../graph.js";
import { builtImageName, label, scopedName } from "../labels.js";
import type { Project } from "../load/index.js";
import type { Service } from "../load/types.js";
import { canonicalName, isOneOff, projectContainers, serviceOf } from "../state.js";
import { type Action, actionAdder, type Plan, planOf } from "./plan.js";

export interface DownOptions {
  services?: string[];
  removeOrphans?: boolean;
  volumes?: boolean;
  images?: "local" | "all";
}

interface Resource {
  key: string;
  name: string;
  external: boolean;
}

export interface DownObserved {
  containers: ContainerSummary[];
  /**
   * The project's networks (the model's, else those labelled for it), whether the engine has any labelled
   * for the project and key, and the ids of those of the network's name (several when runs at once left
   * duplicates): the ones down removes.
   */
  networks: (Resource & { found: boolean; ids: string[] })[];
  /** With -v: the named volumes (the model's, else those labelled for it). */
  volumes: Resource[];
}

function resources(
  section: Record<string, { name?: string; external?: boolean }> | undefined,
  project: string,
): Resource[] {
  return Object.entries(section ?? {}).map(([key, value]) => ({
    key,
    name: value.name ?? scopedName(project, key),
    external: value.external === true,
  }));
}

/** The networks labelled for a project (down without its files), one per key and name with all their ids. */
export function labelledNetworks(list: readonly NetworkSummary[]): DownObserved["networks"] {
  const out = new Map<string, DownObserved["networks"][number]>();
  for (const n of list) {
    const key = n.labels[label.network] ?? n.name;
    const id = `${key}\0${n.name}`;
    const seen = out.get(id);
    if (seen) seen.ids.push(n.id);
    else out.set(id, { key, name: n.name, external: false, found: true, ids: [n.id] });
  }
  return [...out.values()];
}

export async function observeDown(
  engine: Engine,
  name: string,
  project: Project | undefined,
  options: DownOptions,
): Promise<DownObserved> {
  const model = project?.model;
  const [containers, networks, volumes] = await Promise.all([
    projectContainers(engine, name, { oneoff: "include" }),
    model
      ? Promise.all(
          resources(model.networks, name).map(async (n) => {
            if (n.external) return { ...n, found: false, ids: [] };
            const listed = await engine.listNetworks({ [label.project]: name, [label.network]: n.key });
            const ids = listed.filter((x) => x.name === n.name).map((x) => x.id);
            return { ...n, found: listed.length > 0, ids };
          }),
        )
      : engine.listNetworks({ [label.project]: name }).then(labelledNetworks),
    !options.volumes
      ? Promise.resolve([])
      : model
        ? Promise.resolve(resources(model.volumes, name))
        : engine
            .listVolumes({ [label.project]: name })
            .then((list) =>
              list.map((v) => ({ key: v.labels[label.volume] ?? v.name, name: v.name, external: false })),
            ),
  ]);
  return { containers, networks, volumes };
}

/** A bad `down svc…` (a service not in the file): exit 1. */
export class DownError extends Error {
  readonly exitCode = 1;
}

export function planDown(input: {
  name: string;
  project?: Project;
  observed: DownObserved;
  options: DownOptions;
}): Plan {
  const { name, project, observed, options } = input;
  const model = project?.model;
  const services = model?.services;
  const all = observed.containers;
  // The graph: the model's when loaded; otherwise the services seen on the engine, without edges.
  const graph: Graph = services
    ? buildGraph(services)
    : buildGraph(Object.fromEntries([...new Set(all.map(serviceOf))].map((s) => [s, {}])));
  const known = new Set(graph.services);
  const selected = options.services?.length ? options.services : undefined;
  if (selected && project) {
    for (const s of selected) if (!known.has(s)) throw new DownError(`no such service: ${s}`);
  }
  const actions: Action[] = [];
  const add = actionAdder(actions);
  const remove = (c: ContainerSummary, cause: string, after: number[], volumes = options.volumes === true) =>
    add({
      kind: "remove",
      resource: canonicalName(c),
      service: serviceOf(c),
      id: c.id,
      cause,
      after,
      ...(volumes ? { volumes: true } : {}),
    });

  // Dependants first: a service's containers go once those of every service depending on it are gone.
  const removedBy = new Map<string, number[]>();
  const order = [...reverseLevels(graph)].filter((s) => !selected || selected.includes(s));
  for (const service of order) {
    const dependants = graph.services.filter((s) =>
      (graph.dependencies.get(s) ?? []).some((d) => d.service === service && s !== service),
    );
    const after = dependants.flatMap((d) => removedBy.get(d) ?? []);
    const mine = all.filter((c) => serviceOf(c) === service).map((c) => remove(c, "down", after));
    removedBy.set(service, mine);
  }
  const containers = [...removedBy.values()].flat();
  if (!selected) {
    for (const c of all.filter((c) => !known.has(serviceOf(c)))) {
      if (isOneOff(c)) remove(c, `one-off container of ${serviceOf(c)}, not in the file`, containers, false);
      else if (options.removeOrphans)
        remove(c, `orphan (service ${serviceOf(c)} is not in the file)`, containers, false);
    }
  }
  const plan = (): Plan => planOf(name, actions);
  if (selected) return plan();

  const everyContainer = actions.map((a) => a.n);
  for (const n of observed.networks) {
    if (n.external || !n.found) continue;
    add({
      kind: "remove network",
      resource: n.name,
      key: n.key,
      ids: n.ids,
      cause: "down",
      after: everyContainer,
    });
  }
  for (const v of observed.volumes) {
    if (v.external) continue;
    add({ kind: "remove volume", resource: v.name, key: v.key, cause: "down -v", after: everyContainer });
  }
  if (options.images) {
    // One after another: images built from the same first steps share untagged parents, and two removals
    // at once race over them in the engine ("unrecognized image ID", seen with Engine 20.10).
    let previous: number[] = [];
    for (const image of imagesToRemove(name, services, all, options.images)) {
      previous = [
        add({
          kind: "remove image",
          resource: image,
          cause: `--rmi ${options.images}`,
          after: [...everyContainer, ...previous],
        }),
      ];
    }
  }
  return plan();
}

/** The services, those depending on others first (reverse dependency order), each level in file order. */
function reverseLevels(graph: Graph): string[] {
  const depth = new Map<string, number>();
  const visit = (s: string, seen: Set<string>): number => {
    const known = depth.get(s);
    if (known !== undefined) return known;
    if (seen.has(s)) return 0;
    seen.add(s);
    const deps = (graph.dependencies.get(s) ?? []).filter(
      (d) => d.service !== s && graph.dependencies.has(d.service),
    );
    const d = deps.length ? 1 + Math.max(...deps.map((x) => visit(x.service, seen))) : 0;
    depth.set(s, d);
    return d;
  };
  for (const s of graph.services) visit(s, new Set());
  return [...graph.services].sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0));
}

/** --rmi local: the images built for services without `image:`; all: every service's image. */
export function imagesToRemove(
  project: string,
  services: Record<string, Service> | undefined,
  containers: readonly ContainerSummary[],
  mode: "local" | "all",
): string[] {
  const out = new Set<string>();
  if (services) {
    for (const [name, s] of Object.entries(services)) {
      if (s.image !== undefined) {
        if (mode === "all") out.add(s.image);
      } else out.add(builtImageName(project, name));
    }
  } else {
    for (const c of containers) if (mode === "all") out.add(c.image);
  }
  // The reference names them with their tag (`p-web:latest`), as the engine lists them.
  return [...out].map((ref) => (/:[^/]+$/.test(ref) || ref.includes("@") ? ref : `${ref}:latest`));
}
