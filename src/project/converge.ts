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
import type { Deploy, Service } from "./load/types.js";
import { canonicalName, containerNumber } from "./state.js";

export type RecreatePolicy = "diverged" | "force" | "never";

export interface Expected {
  configHash: string;
  /** The image id the service's containers should run (the reference's image label); unknown: not compared. */
  imageId?: string;
  scale: number;
  /** A dependency was recreated in this run: its name. */
  forcedBy?: string;
}

export interface ServiceDecision {
  /** Containers beyond the scale: stopped and removed. */
  remove: ContainerSummary[];
  /** Outdated containers, replaced in place (same number). */
  recreate: ContainerSummary[];
  /** Why each of `recreate` is (by container id). */
  causes: Map<string, string>;
  /** Up-to-date containers; started later if they are not running. */
  keep: ContainerSummary[];
  /** Numbers of the containers to create. */
  create: number[];
}

/** Why the container must be recreated, or undefined when it is up to date. */
export function outdatedCause(
  expected: Expected,
  container: ContainerSummary,
  policy: RecreatePolicy,
): string | undefined {
  if (policy === "never") return undefined;
  if (policy === "force") return "--force-recreate";
  if (expected.forcedBy !== undefined) return `dependency ${expected.forcedBy} recreated`;
  if (container.labels[label.configHash] !== expected.configHash) return "config hash changed";
  const image = container.labels[label.image];
  if (expected.imageId !== undefined && image !== expected.imageId)
    return `image changed (${shortId(image)} → ${shortId(expected.imageId)})`;
  return undefined;
}

function shortId(id: string | undefined): string {
  if (!id) return "none";
  return id.replace(/^sha256:/, "").slice(0, 12);
}

export function decideService(
  expected: Expected,
  containers: readonly ContainerSummary[],
  policy: RecreatePolicy,
): ServiceDecision {
  const causes = new Map<string, string>();
  for (const c of containers) {
    const cause = outdatedCause(expected, c, policy);
    if (cause !== undefined) causes.set(c.id, cause);
  }
  const outdated = new Set(containers.filter((c) => causes.has(c.id)));
  const ordered = [...containers].sort((a, b) => {
    const ao = outdated.has(a);
    const bo = outdated.has(b);
    if (ao !== bo) return ao ? -1 : 1;
    return containerNumber(a) - containerNumber(b) || a.created - b.created;
  });
  const decision: ServiceDecision = { remove: [], recreate: [], keep: [], create: [], causes: new Map() };
  ordered.forEach((c, i) => {
    if (i >= expected.scale) decision.remove.push(c);
    else if (outdated.has(c)) {
      decision.recreate.push(c);
      decision.causes.set(c.id, causes.get(c.id) ?? "");
    } else decision.keep.push(c);
  });
  const next = Math.max(0, ...containers.map(containerNumber)) + 1;
  for (let i = 0; i < expected.scale - containers.length; i++) decision.create.push(next + i);
  return decision;
}

/** The number of containers a service wants: `scale`, else deploy.replicas, else 1 (--scale overrides). */
export function serviceScale(
  service: Pick<Service, "scale"> & { deploy?: Pick<Deploy, "replicas"> | null },
  override?: number,
): number {
  return override ?? service.scale ?? service.deploy?.replicas ?? 1;
}

/** What an interrupted recreate left of a service (see unfinishedRecreates). */
export interface Leftovers {
  /** Replacements left under their temporary name whose replaced container is gone: renamed back. */
  rename: { container: ContainerSummary; name: string }[];
  /** Replacements whose replaced container is still there, and extra copies: removed (not their volumes). */
  remove: ContainerSummary[];
  /** The service's containers once that is done, the renamed ones under their final name. */
  containers: ContainerSummary[];
}

const temporaryPrefix = /^[0-9a-f]{12}_/;

/**
 * A recreate makes the new container as `<12 hex of the old one's id>_<final name>`, then stops and removes
 * the old one, then renames the new one (convergence.go recreateContainer). An `up` interrupted in between
 * leaves the temporary name, which the reference keeps forever. Such a container is recognised by its
 * labels (service, container number) and its name being the temporary form of the final name for that
 * number; it holds the replaced container's volumes. Where the replaced container (the final name) is
 * still there, the replacement is dropped and the recreate starts again; where it is gone, the newest
 * replacement takes the final name.
 */
export function unfinishedRecreates(
  containers: readonly ContainerSummary[],
  finalName: (number: number) => string,
): Leftovers {
  const isTemporary = (c: ContainerSummary) => {
    const name = canonicalName(c);
    return temporaryPrefix.test(name) && name.slice(13) === finalName(containerNumber(c));
  };
  const out: Leftovers = { rename: [], remove: [], containers: [] };
  const temporary = new Map<number, ContainerSummary[]>();
  const settled = new Set<number>();
  for (const c of containers) {
    if (!isTemporary(c)) {
      out.containers.push(c);
      settled.add(containerNumber(c));
      continue;
    }
    const list = temporary.get(containerNumber(c)) ?? [];
    list.push(c);
    temporary.set(containerNumber(c), list);
  }
  for (const [number, list] of temporary) {
    if (settled.has(number)) {
      out.remove.push(...list);
      continue;
    }
    const [newest, ...rest] = [...list].sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
    if (!newest) continue;
    const name = finalName(number);
    out.rename.push({ container: newest, name });
    out.containers.push({ ...newest, names: [name] });
    out.remove.push(...rest);
  }
  return out;
}

/**
 * A container created but never started that lacks one of the networks connected after create (engines
 * below API 1.44): an interrupted create left it half-made, so it is recreated whatever the policy.
 */
export function isHalfMade(container: ContainerSummary, connected: readonly string[]): boolean {
  return container.state === "created" && connected.some((n) => !Object.hasOwn(container.networks, n));
}

/** The decision with half-made kept containers moved to those recreated. */
export function recreateHalfMade(decision: ServiceDecision, connected: readonly string[]): ServiceDecision {
  const half = decision.keep.filter((c) => isHalfMade(c, connected));
  if (half.length === 0) return decision;
  const causes = new Map(decision.causes);
  for (const c of half) causes.set(c.id, "half-made (an interrupted create left a network unconnected)");
  return {
    ...decision,
    keep: decision.keep.filter((c) => !half.includes(c)),
    recreate: [...decision.recreate, ...half],
    causes,
  };
}
