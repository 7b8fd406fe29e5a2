// `down`: the reference's (pkg/compose/down.go, 2.26) — containers in reverse dependency order (each
// stopped, then removed), then the project's networks (a network still used by another container is
// reported, not forced), then with -v the named volumes (never external ones) and with --rmi the images.
// Works from the loaded project, or from the engine's labels alone when there is no compose file.
// Beyond the reference 2.26: one-off `run` containers of the project are removed too (they keep the
// project's networks busy otherwise).

import { removeContainers } from "./apply.js";
import type { ContainerSummary, Engine } from "./engine/types.js";
import { buildGraph, type Graph, type ServiceEdges } from "./graph.js";
import { builtImageName, label } from "./labels.js";
import { isMapping, type Mapping } from "./load/document.js";
import type { Project } from "./load/index.js";
import { type Progress, resourceId } from "./progress.js";
import { inDependencyOrder } from "./schedule.js";
import { isOneOff, projectContainers, serviceOf } from "./state.js";

export interface DownOptions {
  services?: string[];
  removeOrphans?: boolean;
  volumes?: boolean;
  images?: "local" | "all";
  timeout?: number;
  concurrency?: number;
}

export interface DownContext {
  engine: Engine;
  name: string;
  project?: Project;
  progress: Progress;
  /** Lines the reference prints on stderr outside the progress view. */
  warn: (text: string) => void;
}

interface Resource {
  key: string;
  name: string;
  external: boolean;
}

function resources(section: unknown, project: string): Resource[] {
  if (!isMapping(section)) return [];
  return Object.entries(section).map(([key, raw]) => {
    const value = isMapping(raw) ? raw : {};
    return {
      key,
      name: typeof value.name === "string" ? value.name : `${project}_${key}`,
      external: value.external === true,
    };
  });
}

export async function downProject(context: DownContext, options: DownOptions = {}): Promise<void> {
  const { engine, name, project } = context;
  const all = await projectContainers(engine, name, { oneoff: "include" });
  const model = project?.model;
  const services = isMapping(model?.services) ? (model.services as Record<string, Mapping>) : undefined;

  // The graph: the model's when loaded; otherwise the services seen on the engine, without edges.
  const graph: Graph = services
    ? buildGraph(services as Record<string, ServiceEdges>)
    : buildGraph(Object.fromEntries([...new Set(all.map(serviceOf))].map((s) => [s, {}])));
  const known = new Set(graph.services);
  const selected = options.services?.length ? options.services : undefined;
  if (selected && project) {
    for (const s of selected) if (!known.has(s)) throw new Error(`no such service: ${s}`);
  }
  const inScope = (c: ContainerSummary) => !selected || selected.includes(serviceOf(c));
  const belongs = all.filter((c) => known.has(serviceOf(c)) && inScope(c));
  const orphans = all.filter((c) => !known.has(serviceOf(c)) && !isOneOff(c));
  const strayOneOffs = all.filter((c) => !known.has(serviceOf(c)) && isOneOff(c));

  await inDependencyOrder(
    graph,
    graph.services.filter((s) => !selected || selected.includes(s)),
    (service) =>
      removeContainers(
        context,
        belongs.filter((c) => serviceOf(c) === service),
        options.timeout,
        options.volumes === true,
      ),
    { reverse: true, ...(options.concurrency ? { concurrency: options.concurrency } : {}) },
  );
  const extra = [...strayOneOffs, ...(options.removeOrphans ? orphans : [])];
  if (!selected && extra.length) await removeContainers(context, extra, options.timeout, false);
  if (selected) return;

  const networks = model
    ? resources(model.networks, name)
    : (await engine.listNetworks({ [label.project]: name })).map((n) => ({
        key: n.labels[label.network] ?? n.name,
        name: n.name,
        external: false,
      }));
  const volumes = !options.volumes
    ? []
    : model
      ? resources(model.volumes, name)
      : (await engine.listVolumes({ [label.project]: name })).map((v) => ({
          key: v.labels[label.volume] ?? v.name,
          name: v.name,
          external: false,
        }));

  const ops: Promise<boolean>[] = [];
  for (const n of networks.filter((r) => !r.external)) ops.push(removeNetwork(context, n));
  for (const v of volumes.filter((r) => !r.external)) ops.push(removeVolume(context, v.name));
  if (options.images) {
    // One after another: images built from the same first steps share untagged parents, and two removals
    // at once race over them in the engine ("unrecognized image ID", seen with Engine 20.10).
    const images = imagesToRemove(name, services, all, options.images);
    ops.push(
      (async () => {
        let any = false;
        for (const image of images) any = (await removeImage(context, image)) || any;
        return any;
      })(),
    );
  }
  const removed = await Promise.all(ops);
  if (all.length === 0 && !removed.some(Boolean)) {
    context.warn(`Warning: No resource found to remove for project "${name}".\n`);
  }
}

async function removeNetwork(context: DownContext, n: Resource): Promise<boolean> {
  const { engine, name, progress } = context;
  const listed = await engine.listNetworks({ [label.project]: name, [label.network]: n.key });
  const matching = listed.filter((x) => x.name === n.name);
  if (listed.length === 0) return false;
  const id = resourceId.network(n.name);
  progress.event({ id, text: "Removing", status: "working" });
  // Several networks of one name (runs at once made them): every one no container uses is removed.
  let inUse = false;
  for (const net of matching) {
    const details = await engine.inspectNetwork(net.id);
    if (!details) continue;
    if (details.containers.length > 0) {
      inUse = true;
      continue;
    }
    try {
      await engine.removeNetwork(net.id);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) continue;
      progress.event({ id, text: "Error", status: "error" });
      throw new Error(networkRemovalError(n.name, (error as Error).message));
    }
  }
  if (inUse) progress.event({ id, text: "Resource is still in use", status: "warning" });
  else progress.event({ id, text: "Removed", status: "done" });
  return true;
}

/**
 * The error of a network removal refused though the engine listed no container on it (the check above).
 * "has active endpoints" then is Engine 20.10's stale endpoint count (moby/moby#42119), which only a
 * restart of dockerd clears: the reference prints the engine's words alone, which send users hunting for
 * a container that does not exist.
 */
export function networkRemovalError(network: string, engineMessage: string): string {
  const text = `failed to remove network ${network}: ${engineMessage}`;
  if (!/has active endpoints/.test(engineMessage)) return text;
  return (
    `${text}\nno container is attached to it: the engine still counts an endpoint of a removed container ` +
    "(a Docker Engine defect, moby/moby#42119); restarting the engine clears it"
  );
}

async function removeVolume(context: DownContext, volume: string): Promise<boolean> {
  const id = resourceId.plainVolume(volume);
  context.progress.event({ id, text: "Removing", status: "working" });
  const outcome = await context.engine.removeVolume(volume, true);
  if (outcome === "removed") context.progress.event({ id, text: "Removed", status: "done" });
  else if (outcome === "in-use")
    context.progress.event({ id, text: "Resource is still in use", status: "warning" });
  else context.progress.event({ id, text: "Warning: No resource found to remove", status: "done" });
  return outcome !== "missing";
}

async function removeImage(context: DownContext, image: string): Promise<boolean> {
  const id = resourceId.image(image);
  context.progress.event({ id, text: "Removing", status: "working" });
  const outcome = await context.engine.removeImage(image);
  if (outcome === "removed") context.progress.event({ id, text: "Removed", status: "done" });
  else if (outcome === "in-use")
    context.progress.event({ id, text: "Resource is still in use", status: "warning" });
  else context.progress.event({ id, text: "Warning: No resource found to remove", status: "done" });
  return outcome !== "missing";
}

/** --rmi local: the images built for services without `image:`; all: every service's image. */
export function imagesToRemove(
  project: string,
  services: Record<string, Mapping> | undefined,
  containers: readonly ContainerSummary[],
  mode: "local" | "all",
): string[] {
  const out = new Set<string>();
  if (services) {
    for (const [name, s] of Object.entries(services)) {
      if (typeof s.image === "string") {
        if (mode === "all") out.add(s.image);
      } else out.add(builtImageName(project, name));
    }
  } else {
    for (const c of containers) if (mode === "all") out.add(c.image);
  }
  // The reference names them with their tag (`p-web:latest`), as the engine lists them.
  return [...out].map((ref) => (/:[^/]+$/.test(ref) || ref.includes("@") ? ref : `${ref}:latest`));
}
