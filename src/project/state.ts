// What the engine holds for a project: its containers, grouped and ordered the way the reference's
// commands see them (pkg/compose/containers.go): by service, then container number; one-off `run`
// containers apart. Pure helpers over the engine's listing, and the reads of it every command makes
// (plan/observed.ts builds the plan's snapshot on them). Light: `ps` and `exec` load it at start-up.
import type { ContainerSummary, Engine, LabelFilter } from "./engine/types.js";
import { label, projectFilter } from "./labels.js";

export type OneOff = "exclude" | "include" | "only";

export interface ContainerQuery {
  /** Stopped containers too (default true, like the reference's getContainers(..., stopped=true)). */
  all?: boolean;
  oneoff?: OneOff;
  /** Only these services (none: every service). */
  services?: readonly string[];
}

export function containerNumber(c: ContainerSummary): number {
  const n = Number.parseInt(c.labels[label.containerNumber] ?? "", 10);
  return Number.isNaN(n) ? 0 : n;
}

export function serviceOf(c: ContainerSummary): string {
  return c.labels[label.service] ?? "";
}

export function isOneOff(c: ContainerSummary): boolean {
  return c.labels[label.oneoff] === "True";
}

/** The container's name without the engine's leading slash (its first name). */
export function canonicalName(c: ContainerSummary): string {
  return c.names.find((n) => !n.includes("/")) ?? c.names[0] ?? c.id.slice(0, 12);
}

/** Sorted by service name, then container number (then name). */
export function sortContainers(containers: readonly ContainerSummary[]): ContainerSummary[] {
  return [...containers].sort(
    (a, b) =>
      compare(serviceOf(a), serviceOf(b)) ||
      containerNumber(a) - containerNumber(b) ||
      compare(canonicalName(a), canonicalName(b)),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function selectContainers(
  containers: readonly ContainerSummary[],
  query: ContainerQuery,
): ContainerSummary[] {
  const oneoff = query.oneoff ?? "exclude";
  return sortContainers(
    containers.filter((c) => {
      if (oneoff === "exclude" && isOneOff(c)) return false;
      if (oneoff === "only" && !isOneOff(c)) return false;
      if (query.services?.length && !query.services.includes(serviceOf(c))) return false;
      return true;
    }),
  );
}

/** The project's containers on the engine. */
export async function projectContainers(
  engine: Engine,
  project: string,
  query: ContainerQuery = {},
): Promise<ContainerSummary[]> {
  const listed = await engine.listContainers(projectFilter(project), { all: query.all ?? true });
  return selectContainers(listed, query);
}

/**
 * The containers as the reference's commands pick them: by project label and only those carrying the
 * config-hash label (containers made by something else than compose are not listed); one-off `run`
 * containers excluded, included or alone; one service selected by the engine's filter, several here.
 */
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

/** No container of the service to act on (exec, cp, port, logs --index): exit 1. */
export class NotRunningError extends Error {
  readonly exitCode = 1;
}

/** The reference's getSpecifiedContainer: the service's lowest-numbered container (or number `index`). */
export async function specifiedContainer(
  engine: Engine,
  project: string,
  service: string,
  options: { oneoff: OneOff; stopped: boolean; index?: number },
): Promise<ContainerSummary> {
  const found = await composeContainers(engine, project, { ...options, services: [service] });
  if (found.length === 0) {
    throw new NotRunningError(
      options.index
        ? `service "${service}" is not running container #${options.index}`
        : `service "${service}" is not running`,
    );
  }
  return [...found].sort((a, b) => containerNumber(a) - containerNumber(b))[0] as ContainerSummary;
}

/** A container known only by id and name (one the engine does not list, or one still to be made). */
export function containerStub(id: string, name: string, state = ""): ContainerSummary {
  return {
    id,
    names: [name],
    image: "",
    imageId: "",
    command: "",
    created: 0,
    state,
    status: "",
    labels: {},
    ports: [],
    networks: {},
  };
}
