// How the reference's read-only commands pick a project's containers (pkg/compose/containers.go,
// observed on 2.26.1): by project label and, for most commands, only containers carrying the
// config-hash label (containers created by something else than compose are not listed); one-off `run`
// containers excluded, included or alone; one service selected by the engine's filter, several here.
import type { ContainerSummary } from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import type { Project } from "../../project/load/index.js";
import { canonicalName } from "../../project/state.js";

/** Go's sort by byte order of the canonical name (the reference sorts ps, top and images so). */
export function byName(a: ContainerSummary, b: ContainerSummary): number {
  const x = canonicalName(a);
  const y = canonicalName(b);
  return x < y ? -1 : x > y ? 1 : 0;
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
