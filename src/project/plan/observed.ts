// Observed state: one read of what the engine holds for a project (its containers, the declared networks
// and volumes, the services' images, and, when asked, each container's inspect data), as a typed snapshot
// the plan reads. Only reads: nothing here changes the engine.
import { resourceNames } from "../container-spec.js";
import type { ContainerDetails, ContainerSummary, Engine, ImageDetails } from "../engine/types.js";
import { label } from "../labels.js";
import type { Project } from "../load/index.js";
import { projectContainers } from "../state.js";
import { imageOf, servicesOf } from "./desired.js";

export interface ObservedResource {
  /** The key in the model. */
  key: string;
  /** The name the engine knows it by. */
  name: string;
  external: boolean;
  /** Found on the engine: its id and labels; several networks of one name: `ambiguous`. */
  found?: { id: string; labels: Record<string, string> };
  ambiguous?: boolean;
}

export interface Observed {
  /** The project's containers, one-offs included, sorted by service and number. */
  containers: ContainerSummary[];
  /** Inspect data of the target services' containers (when asked for). */
  details: Map<string, ContainerDetails>;
  networks: ObservedResource[];
  volumes: ObservedResource[];
  /** Each target service's image reference → the local image, or undefined when absent. */
  images: Map<string, ImageDetails | undefined>;
}

export async function observe(
  engine: Engine,
  project: Project,
  targets: readonly string[],
  options: { details?: boolean; images?: boolean } = {},
): Promise<Observed> {
  const names = resourceNames(project.model);
  const services = servicesOf(project);
  const declaredNetworks = project.model.networks ?? {};
  const declaredVolumes = project.model.volumes ?? {};
  const refs =
    options.images === false ? [] : [...new Set(targets.map((t) => imageOf(project, t, services[t] ?? {})))];
  const [containers, networks, volumes, images] = await Promise.all([
    projectContainers(engine, project.name, { oneoff: "include" }),
    Promise.all(
      Object.entries(declaredNetworks).map(async ([key, network]): Promise<ObservedResource> => {
        const name = names.networks[key] ?? key;
        const external = network.external === true;
        const out: ObservedResource = { key, name, external };
        try {
          const found = await engine.inspectNetwork(name);
          // A project network by name or id only (the engine also takes a unique prefix of an id).
          if (found && (external || found.name === name || found.id === name))
            out.found = { id: found.id, labels: found.labels };
        } catch (error) {
          if (!/ambiguous/.test((error as Error).message)) throw error;
          out.ambiguous = true;
        }
        return out;
      }),
    ),
    Promise.all(
      Object.entries(declaredVolumes).map(async ([key, volume]): Promise<ObservedResource> => {
        const name = names.volumes[key] ?? key;
        const external = volume.external === true;
        const found = await engine.inspectVolume(name);
        return { key, name, external, ...(found ? { found: { id: name, labels: found.labels } } : {}) };
      }),
    ),
    Promise.all(refs.map(async (ref) => [ref, await engine.inspectImage(ref)] as const)),
  ]);
  const details = new Map<string, ContainerDetails>();
  if (options.details) {
    const wanted = containers.filter(
      (c) => c.labels[label.oneoff] !== "True" && targets.includes(c.labels[label.service] ?? ""),
    );
    await Promise.all(
      wanted.map(async (c) => {
        const d = await engine.inspectContainer(c.id).catch(() => undefined);
        if (d) details.set(c.id, d);
      }),
    );
  }
  return { containers, details, networks, volumes, images: new Map(images) };
}
