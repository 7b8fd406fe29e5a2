// How the reference's read-only commands pick a project's containers (pkg/compose/containers.go,
// observed on 2.26.1): by project label and, for most commands, only containers carrying the
// config-hash label (containers created by something else than compose are not listed); one-off `run`
// containers excluded, included or alone; one service selected by the engine's filter, several here.
import type { ContainerSummary, Engine, LabelFilter } from "../../project/engine/types.js";
import { label, projectFilter } from "../../project/labels.js";
import type { Project } from "../../project/load/index.js";
import { canonicalName, containerNumber, type OneOff } from "../../project/state.js";

export interface ComposeQuery {
  oneoff: OneOff;
  /** Stopped containers too. */
  stopped: boolean;
  services?: readonly string[];
  /** Only the container with this number (--index). */
  index?: number;
}

export async function composeContainers(
  engine: Engine,
  project: string,
  query: ComposeQuery,
): Promise<ContainerSummary[]> {
  const filter: LabelFilter = { ...projectFilter(project), [label.configHash]: true };
  if (query.services?.length === 1) filter[label.service] = query.services[0] as string;
  if (query.oneoff === "exclude") filter[label.oneoff] = "False";
  if (query.oneoff === "only") filter[label.oneoff] = "True";
  if (query.index) filter[label.containerNumber] = String(query.index);
  const listed = await engine.listContainers(filter, { all: query.stopped });
  const services = query.services ?? [];
  return services.length > 1
    ? listed.filter((c) => services.includes(c.labels[label.service] ?? ""))
    : listed;
}

/** Go's sort by byte order of the canonical name (the reference sorts ps, top and images so). */
export function byName(a: ContainerSummary, b: ContainerSummary): number {
  const x = canonicalName(a);
  const y = canonicalName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The reference's getSpecifiedContainer: the service's lowest-numbered container, or an error. */
export async function specifiedContainer(
  engine: Engine,
  project: string,
  service: string,
  options: { oneoff: OneOff; stopped: boolean; index?: number },
): Promise<ContainerSummary> {
  const found = await composeContainers(engine, project, { ...options, services: [service] });
  if (found.length === 0) {
    const { CliError } = await import("../errors.js");
    if (options.index) throw new CliError(`service "${service}" is not running container #${options.index}`);
    throw new CliError(`service "${service}" is not running`);
  }
  return [...found].sort((a, b) => containerNumber(a) - containerNumber(b))[0] as ContainerSummary;
}

/** `web-1` for `proj-web-1`; a custom container_name stays whole (getContainerNameWithoutProject). */
export function nameWithoutProject(c: {
  names: string[];
  labels: Record<string, string>;
  id: string;
}): string {
  const project = c.labels[label.project] ?? "";
  const name = canonicalName(c as ContainerSummary);
  const defaultName = `${project}-${c.labels[label.service] ?? ""}-${c.labels[label.containerNumber] ?? ""}`;
  return name === defaultName ? name.slice(project.length + 1) : name;
}

/** The services the project declares (enabled ones: the loader drops the others from the model). */
export function serviceNames(project: Project | undefined): string[] {
  return Object.keys((project?.model.services ?? {}) as Record<string, unknown>);
}
