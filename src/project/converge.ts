// What to do with one service's containers so they match the model: the reference's ensureService
// decisions (pkg/compose/convergence.go, 2.26), as a pure function of what is expected and what is there.
// - a container must be recreated when the policy forces it, when a dependency of the service was
//   recreated (the reference then forces its dependants), or, by default, when its config-hash label or
//   its image label (`com.docker.compose.image`, the image id) differ from the expected ones;
// - outdated containers are sorted first, then by container number, so scaling down removes the
//   highest-numbered up-to-date containers and keeps low numbers;
// - new containers take the numbers after the highest one in use.
import type { ContainerSummary } from "./engine/types.js";
import { label } from "./labels.js";
import { containerNumber } from "./state.js";

export type RecreatePolicy = "diverged" | "force" | "never";

export interface Expected {
  configHash: string;
  /** The image id the service's containers should run (the reference's image label); unknown: not compared. */
  imageId?: string;
  scale: number;
  /** A dependency was recreated in this run. */
  forceRecreate?: boolean;
}

export interface ServiceDecision {
  /** Containers beyond the scale: stopped and removed. */
  remove: ContainerSummary[];
  /** Outdated containers, replaced in place (same number). */
  recreate: ContainerSummary[];
  /** Up-to-date containers; started later if they are not running. */
  keep: ContainerSummary[];
  /** Numbers of the containers to create. */
  create: number[];
}

export function isOutdated(expected: Expected, container: ContainerSummary, policy: RecreatePolicy): boolean {
  if (policy === "never") return false;
  if (policy === "force" || expected.forceRecreate) return true;
  if (container.labels[label.configHash] !== expected.configHash) return true;
  return expected.imageId !== undefined && container.labels[label.image] !== expected.imageId;
}

export function decideService(
  expected: Expected,
  containers: readonly ContainerSummary[],
  policy: RecreatePolicy,
): ServiceDecision {
  const outdated = new Set(containers.filter((c) => isOutdated(expected, c, policy)));
  const ordered = [...containers].sort((a, b) => {
    const ao = outdated.has(a);
    const bo = outdated.has(b);
    if (ao !== bo) return ao ? -1 : 1;
    return containerNumber(a) - containerNumber(b) || a.created - b.created;
  });
  const decision: ServiceDecision = { remove: [], recreate: [], keep: [], create: [] };
  ordered.forEach((c, i) => {
    if (i >= expected.scale) decision.remove.push(c);
    else if (outdated.has(c)) decision.recreate.push(c);
    else decision.keep.push(c);
  });
  const next = Math.max(0, ...containers.map(containerNumber)) + 1;
  for (let i = 0; i < expected.scale - containers.length; i++) decision.create.push(next + i);
  return decision;
}

/** The number of containers a service wants: `scale`, else deploy.replicas, else 1 (--scale overrides). */
export function serviceScale(service: Record<string, unknown>, override?: number): number {
  if (override !== undefined) return override;
  const deploy = service.deploy as { replicas?: unknown } | undefined;
  if (typeof service.scale === "number") return service.scale;
  if (deploy && typeof deploy.replicas === "number") return deploy.replicas;
  return 1;
}
