// `up` and `create`: from the loaded project to containers on the engine, converged like the reference's
// (pkg/compose/create.go, convergence.go, start.go, 2.26):
//   images (pull / build what is missing) → networks → volumes → orphans → containers, service by service
//   in dependency order (create, recreate, scale) → start, service by service in dependency order, each
//   after its dependencies are ready (healthy / completed) → with --wait, every service ready.
// Faster than the reference where the engine allows: independent services at once, all containers of a
// scaled service at once (the reference starts them one by one), networks and volumes at once, and waits
// driven by engine events instead of a 500 ms poll. Decisions are pure (converge.ts, container-spec.ts,
// hash.ts); this module does the I/O through the engine adapter and reports progress.

import PQueue from "p-queue";
import { type containerSpec, inheritedMounts, resourceNames } from "./container-spec.js";
import {
  decideService,
  type RecreatePolicy,
  recreateHalfMade,
  serviceScale,
  unfinishedRecreates,
} from "./converge.js";
import type { ContainerSummary, Engine, NetworkDetails } from "./engine/types.js";
import { levels, withDependents } from "./graph.js";
import { composeVersion, containerName, label } from "./labels.js";
import { isMapping, type Mapping } from "./load/document.js";
import type { Project } from "./load/index.js";
import { changedFields } from "./plan/changes.js";
import {
  containerReferences,
  desiredService,
  desiredSpec,
  hasContainerReference,
  imageOf,
  projectGraph,
  type SpecContext,
  servicesOf,
  specNetworks,
  targetServices,
} from "./plan/desired.js";
import { type Progress, resourceId } from "./progress.js";
import { type Readiness, ReadinessWatch } from "./readiness.js";
import { inDependencyOrder } from "./schedule.js";
import { canonicalName, projectContainers, serviceOf } from "./state.js";

/** What apply needs from outside: the engine, the project, where progress goes. */
export interface UpContext {
  engine: Engine;
  project: Project;
  progress: Progress;
  /** Warnings printed like the reference's logrus WARN lines. */
  warn: (text: string) => void;
  /** The --env-file files (absolute), for the environment_file label the reference writes only then. */
  envFileFlag?: string[];
  /** Builds the images of these services; resolves with service → image id. Absent: building fails. */
  build?: (services: string[]) => Promise<Record<string, string>>;
}

export interface CreateOptions {
  /** Services named on the command line (none: all). */
  services?: string[];
  noDeps?: boolean;
  /** For the named services. */
  recreate?: RecreatePolicy;
  /** For their dependencies. */
  recreateDependencies?: RecreatePolicy;
  removeOrphans?: boolean;
  ignoreOrphans?: boolean;
  /** --scale svc=N */
  scale?: Record<string, number>;
  /** Seconds for stopping containers being replaced or removed (-t). */
  timeout?: number;
  /** False with --renew-anon-volumes: recreated containers get new anonymous volumes. */
  inherit?: boolean;
  /** --pull: overrides every service's pull_policy. */
  pull?: "always" | "missing" | "never" | "policy";
  quietPull?: boolean;
  /** --build: build every service that has a build section; false with --no-build. */
  build?: boolean;
  /** --parallel */
  concurrency?: number;
  /** Exactly these services (may be none: networks and volumes only), bypassing the selection above. */
  targets?: string[];
  /**
   * Start too (`up`): each service is started as soon as it is created and its dependencies are started
   * and ready, while other services may still be being created.
   */
  start?: StartOptions;
}

export interface StartOptions {
  /** --wait: every service running (or healthy when it has a healthcheck). */
  wait?: boolean;
  /** Milliseconds. */
  waitTimeout?: number;
  concurrency?: number;
}

export class UpError extends Error {
  readonly exitCode = 1;
}

/** The state `create` leaves behind for `start`: the containers of each service, by service. */
export interface Converged {
  services: string[];
  containers: Map<string, ContainerSummary[]>;
}

// ---------------------------------------------------------------------------------------------------------
// create

export async function createProject(context: UpContext, options: CreateOptions = {}): Promise<Converged> {
  // The events subscription is opened while images, networks and volumes are made, not after them, and
  // closed however the rest ends.
  const watching = options.start ? ReadinessWatch.open(context.engine, context.project.name) : undefined;
  watching?.catch(() => {});
  try {
    return await converge(context, options, watching);
  } finally {
    (await watching?.catch(() => undefined))?.close();
  }
}

async function converge(
  context: UpContext,
  options: CreateOptions,
  watching: Promise<ReadinessWatch> | undefined,
): Promise<Converged> {
  const { engine, project, progress } = context;
  const services = servicesOf(project);
  const targets = options.targets ?? targetServices(project, options.services, options.noDeps);
  const graph = projectGraph(project);
  const observed = await finishRecreates(
    context,
    targets,
    await projectContainers(engine, project.name, { oneoff: "include" }),
  );
  const imageIds = await ensureImages(context, targets, options);
  const names = resourceNames(project.model);
  const [networks] = await Promise.all([ensureNetworks(context, names.networks), ensureVolumes(context)]);

  const known = new Set([...Object.keys(services), ...project.allServices]);
  const orphans = observed.filter((c) => !known.has(serviceOf(c)) && c.labels[label.oneoff] !== "True");
  if (orphans.length > 0 && !options.ignoreOrphans) {
    if (options.removeOrphans) await removeContainers(context, orphans, options.timeout, false);
    else {
      context.warn(
        `Found orphan containers ([${orphans.map(canonicalName).join(" ")}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      );
    }
  }

  const state = new Map<string, ContainerSummary[]>();
  for (const name of graph.services) {
    state.set(
      name,
      observed.filter((c) => serviceOf(c) === name && c.labels[label.oneoff] !== "True"),
    );
  }
  /** Services to recreate because a dependency is: the dependency. */
  const forced = new Map<string, string>();
  const apiVersion = engine.apiVersion;
  const firstContainer = (s: string) => state.get(s)?.[0]?.id;

  const limit = options.concurrency ? new PQueue({ concurrency: options.concurrency }) : undefined;
  const limited = <T>(work: () => Promise<T>): Promise<T> => (limit ? limit.add(work) : work());
  const watch = await watching;
  const awaitedForHealth = new Set<string>();
  for (const deps of graph.dependencies.values()) {
    for (const d of deps) if (d.condition === "service_healthy") awaitedForHealth.add(d.service);
  }
  const selected = new Set(targets);
  const decided = new Map<string, Promise<void>>();
  const created = new Map<string, Promise<void>>();
  const started = new Map<string, Promise<void>>();
  const after = (promises: Map<string, Promise<void>>, names: Iterable<string>) =>
    Promise.all([...names].map((n) => promises.get(n)));

  const decide = async (name: string) => {
    const desired = desiredService(project, name, firstContainer, options.scale?.[name]);
    const named = !options.services?.length || options.services.includes(name);
    const policy = (named ? options.recreate : options.recreateDependencies) ?? "diverged";
    const imageId = imageIds[name];
    const forcedBy = forced.get(name);
    const decision = decideService(
      {
        configHash: desired.configHash,
        ...(imageId ? { imageId } : {}),
        scale: desired.scale,
        ...(forcedBy !== undefined ? { forcedBy } : {}),
      },
      state.get(name) ?? [],
      policy,
    );
    // The reference forces the recreation of every service that depends on a recreated one.
    if (decision.recreate.length > 0) {
      for (const d of withDependents(graph, [name])) if (d !== name && !forced.has(d)) forced.set(d, name);
    }
    return { desired, imageId, decision };
  };
  const execute = async (
    name: string,
    { desired, imageId, decision: decided }: Awaited<ReturnType<typeof decide>>,
  ) => {
    let decision = decided;
    const { service } = desired;
    const linkedContainers: Record<string, string[]> = {};
    for (const [s, cs] of state) linkedContainers[s] = cs.map(canonicalName);
    const specContext: SpecContext = {
      project,
      networks,
      ...(context.envFileFlag?.length ? { envFileFlag: context.envFileFlag } : {}),
      ...(imageId ? { imageId } : {}),
      apiVersion,
      linkedContainers,
    };
    const build = (number: number, extra: Parameters<typeof desiredSpec>[3] = {}) =>
      desiredSpec(desired, number, specContext, extra);
    const create = async (number: number): Promise<ContainerSummary> => {
      const spec = build(number, {});
      const id = resourceId.container(spec.create.name);
      progress.event({ id, text: "Creating", status: "working" });
      const created = await createWithNetworks(engine, spec);
      progress.event({ id, text: "Created", status: "done" });
      return created;
    };
    const recreate = async (old: ContainerSummary): Promise<ContainerSummary> => {
      const id = resourceId.container(canonicalName(old));
      progress.event({ id, text: "Recreate", status: "working" });
      const number = Number(old.labels[label.containerNumber]);
      let inherited: ReturnType<typeof inheritedMounts> | undefined;
      let cause = decision.causes.get(old.id);
      const finalSpec = build(number, {});
      if (options.inherit !== false) {
        const [details, image] = await Promise.all([
          engine.inspectContainer(old.id),
          engine.inspectImage(desired.image),
        ]);
        inherited = inheritedMounts(service, details.mounts, image?.volumes ?? []);
        if (cause === "config hash changed") {
          const fields = changedFields(finalSpec.create, specNetworks(finalSpec), details, image);
          if (fields.length > 0) cause = `${cause}: ${fields.join(", ")}`;
        }
      }
      const finalName = finalSpec.create.name;
      const spec = build(number, {
        name: `${old.id.slice(0, 12)}_${finalName}`,
        replace: old.id,
        ...(inherited ? { inherited } : {}),
      });
      const created = await createWithNetworks(engine, spec);
      await engine.stopContainer(old.id, options.timeout);
      await engine.removeContainer(old.id);
      await engine.renameContainer(created.id, finalName);
      progress.event({ id, text: "Recreated", status: "done", ...(cause ? { cause } : {}) });
      return { ...created, names: [finalName] };
    };
    // Connected after create (engines below API 1.44): a never-started container without them is half-made.
    if (decision.keep.some((c) => c.state === "created")) {
      // By name, as the listing has them (an external network is connected by id).
      const listedName = (network: string) =>
        names.networks[Object.keys(networks).find((k) => networks[k] === network) ?? ""] ?? network;
      decision = recreateHalfMade(
        decision,
        build(1, {}).connect.map((c) => listedName(c.network)),
      );
    }
    for (const c of decision.keep) {
      const id = resourceId.container(canonicalName(c));
      if (c.state === "running") progress.event({ id, text: "Running", status: "done" });
      else if (c.state === "exited" || c.state === "created")
        progress.event({ id, text: "Created", status: "done" });
    }
    const [, recreated, createdNew] = await Promise.all([
      removeContainers(context, decision.remove, options.timeout, false),
      Promise.all(decision.recreate.map(recreate)),
      Promise.all(decision.create.map(create)),
    ]);
    state.set(name, [...decision.keep, ...recreated, ...createdNew].sort(byNumber));
  };

  // Each service: decided once its dependencies are (a recreated dependency forces it), created once the
  // services it names by container (network_mode/ipc/pid service:, volumes_from, links) are created, and,
  // for `up`, started once every container is created (creation never waits on readiness, so this costs
  // little) and its dependencies are started and ready. On Engine 20.10 starts that overlap creates slow
  // both: 20 independent services took ~7 % longer when each started as soon as it was created, and
  // bounding the starts (4 at once) cost as much again (bench/README.md, 2026-12-06).
  const all: Promise<unknown>[] = [];
  const everyCreation = () => Promise.allSettled(created.values());
  for (const name of levels(graph).flat()) {
    if (!selected.has(name)) continue;
    const deps = (graph.dependencies.get(name) ?? []).map((d) => d.service).filter((d) => selected.has(d));
    // A `container:NAME` reference may name another service's container (container_name): then every
    // dependency is created first, as the reference's create phase does.
    const hard = hasContainerReference(services[name] ?? {})
      ? deps
      : [...containerReferences(services[name] ?? {})].filter((d) => selected.has(d));
    const decision = (async () => {
      await after(decided, deps);
      await after(created, hard);
      return decide(name);
    })();
    // Dependants await this one; a failure is reported once, through `all` below, so it is marked handled.
    const isDecided = decision.then(() => undefined);
    isDecided.catch(() => {});
    decided.set(name, isDecided);
    const creation = decision.then((d) => limited(() => execute(name, d)));
    created.set(name, creation);
    all.push(creation);
    if (options.start && watch) {
      const startOptions = options.start;
      const starting = creation.then(async () => {
        await everyCreation();
        await after(started, deps);
        const converged: Converged = { services: targets, containers: state };
        await waitDependencies(context, watch, converged, name);
        await limited(() =>
          startServiceContainers(context, name, state.get(name) ?? [], startOptions, awaitedForHealth),
        );
      });
      started.set(name, starting);
      all.push(starting);
    }
  }
  const results = await Promise.allSettled(all);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return { services: targets, containers: state };
}

/**
 * Finishes what an interrupted recreate left of the target services (converge.ts unfinishedRecreates):
 * drops the replacements whose replaced container is still there and renames the others back to their final
 * name; resolves with the listing as it then is.
 */
async function finishRecreates(
  context: UpContext,
  targets: readonly string[],
  observed: ContainerSummary[],
): Promise<ContainerSummary[]> {
  const { engine, project, progress } = context;
  const services = servicesOf(project);
  const byService = new Map<string, ContainerSummary[]>();
  for (const c of observed) {
    if (c.labels[label.oneoff] === "True" || !targets.includes(serviceOf(c))) continue;
    byService.set(serviceOf(c), [...(byService.get(serviceOf(c)) ?? []), c]);
  }
  const replaced = new Map<string, ContainerSummary | undefined>();
  await Promise.all(
    [...byService].map(async ([name, containers]) => {
      const fixed = services[name]?.container_name;
      const left = unfinishedRecreates(containers, (n) =>
        typeof fixed === "string" ? fixed : containerName(project.name, name, n),
      );
      for (const c of left.remove) replaced.set(c.id, undefined);
      for (const r of left.rename) replaced.set(r.container.id, { ...r.container, names: [r.name] });
      await Promise.all(
        left.remove.map(async (c) => {
          const id = resourceId.container(canonicalName(c));
          progress.event({ id, text: "Removing", status: "working" });
          await engine.removeContainer(c.id, { force: true });
          progress.event({ id, text: "Removed", status: "done" });
        }),
      );
      for (const { container, name: final } of left.rename) {
        await engine.renameContainer(container.id, final);
        progress.event({ id: resourceId.container(final), text: "Recreated", status: "done" });
      }
    }),
  );
  if (replaced.size === 0) return observed;
  return observed.flatMap((c) => {
    if (!replaced.has(c.id)) return [c];
    const renamed = replaced.get(c.id);
    return renamed ? [renamed] : [];
  });
}

function nameOf(containers: readonly ContainerSummary[], id: string): string {
  const c = containers.find((x) => x.id === id);
  return c ? canonicalName(c) : id.slice(0, 12);
}

function byNumber(a: ContainerSummary, b: ContainerSummary): number {
  return Number(a.labels[label.containerNumber]) - Number(b.labels[label.containerNumber]);
}

export async function createWithNetworks(
  engine: Engine,
  spec: ReturnType<typeof containerSpec>,
): Promise<ContainerSummary> {
  const id = await engine.createContainer(spec.create);
  // Below API 1.44 the other networks are connected one by one after create, before start.
  for (const c of spec.connect) await engine.connectNetwork(c.network, id, c.EndpointConfig);
  return {
    id,
    names: [spec.create.name],
    image: spec.create.Image,
    imageId: "",
    command: "",
    created: Math.floor(Date.now() / 1000),
    state: "created",
    status: "Created",
    labels: spec.create.Labels ?? {},
    ports: [],
    networks: {},
  };
}

// ---------------------------------------------------------------------------------------------------------
// images

export async function ensureImages(
  context: UpContext,
  targets: readonly string[],
  options: CreateOptions,
): Promise<Record<string, string>> {
  const { engine, project, progress } = context;
  const services = servicesOf(project);
  for (const name of targets) {
    const service = services[name] ?? {};
    if (service.build === undefined && typeof service.image !== "string") {
      throw new UpError(`invalid service "${name}". Must specify either image or build`);
    }
  }
  // Pull what the policy asks for (ensureImagesExists → pullRequiredImages), then build what has a build
  // section and still no image, or must be built (--build, pull_policy: build).
  const { pullServices, PullError } = await import("./pull.js");
  try {
    await pullServices(
      engine,
      project,
      targets,
      {
        forUp: true,
        ...(options.pull && options.pull !== "policy" ? { policy: options.pull } : {}),
        ...(options.quietPull ? { quiet: true } : {}),
      },
      progress,
    );
  } catch (error) {
    if (error instanceof PullError) throw new UpError(error.message);
    throw error;
  }
  const ids: Record<string, string> = {};
  const toBuild: string[] = [];
  await Promise.all(
    targets.map(async (name) => {
      const service = services[name] ?? {};
      const local = await engine.inspectImage(imageOf(project, name, service));
      const hasBuild = service.build !== undefined;
      const forced = options.build === true || service.pull_policy === "build";
      if (hasBuild && options.build !== false && (forced || !local)) toBuild.push(name);
      else if (local) ids[name] = local.id;
    }),
  );
  if (toBuild.length > 0) {
    if (!context.build) throw new UpError(`building images is not supported here (${toBuild.join(", ")})`);
    Object.assign(ids, await context.build(toBuild));
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------------------
// networks and volumes

/** Creates the project's networks that do not exist; resolves with network key → the name (or, for an
 * external network, the id) containers are attached by, as the reference does. */
export async function ensureNetworks(
  context: UpContext,
  names: Record<string, string>,
): Promise<Record<string, string>> {
  const { engine, project, progress } = context;
  const declared = isMapping(project.model.networks) ? project.model.networks : {};
  const out: Record<string, string> = { ...names };
  await Promise.all(
    Object.entries(declared).map(async ([key, raw]) => {
      const network = isMapping(raw) ? raw : {};
      const name = names[key] ?? key;
      if (network.external === true) {
        const found = (await engine.listNetworksByName(name)).filter((n) => n.name === name || n.id === name);
        if (found.length === 0) {
          const byId = await engine.inspectNetwork(name);
          if (!byId) throw new UpError(`network ${name} declared as external, but could not be found`);
          out[key] = byId.id;
          return;
        }
        if (found.length > 1) {
          throw new UpError(
            `multiple networks with name "${name}" were found. Use network ID as \`name\` to avoid ambiguity`,
          );
        }
        out[key] = found[0]?.id ?? name;
        return;
      }
      const existing = await inspectOrHeal(context, key, name);
      if (existing && (existing.name === name || existing.id === name)) {
        const owner = existing.labels[label.project];
        if (owner === undefined) {
          context.warn(
            `a network with name ${name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`,
          );
        } else if (owner !== project.name) {
          context.warn(
            `a network with name ${name} exists but was not created for project "${project.name}".\nSet \`external: true\` to use an existing network`,
          );
        }
        if ((existing.labels[label.network] ?? "") !== key && owner !== undefined) {
          throw new UpError(
            `network ${name} was found but has incorrect label ${label.network} set to "${existing.labels[label.network] ?? ""}"`,
          );
        }
        return;
      }
      const id = resourceId.network(name);
      progress.event({ id, text: "Creating", status: "working" });
      try {
        await engine.createNetwork(networkRequest(project, key, name, network));
      } catch (error) {
        progress.event({ id, text: "Error", status: "error" });
        throw new UpError(`failed to create network ${name}: ${(error as Error).message}`);
      }
      progress.event({ id, text: "Created", status: "done" });
    }),
  );
  return out;
}

/**
 * The project's network of that name. Two runs at once (the reference's, or tcompose's before its project
 * lock) can leave several networks of one name, and every later request by name then fails as
 * "ambiguous": they are healed here. The one to keep (networkToKeep) stays; the containers of the others
 * are moved onto it, keeping their aliases; the others are removed.
 */
async function inspectOrHeal(context: UpContext, key: string, name: string) {
  const { engine, project } = context;
  try {
    return await engine.inspectNetwork(name);
  } catch (error) {
    if (!/ambiguous/.test((error as Error).message)) throw error;
  }
  const same = (await engine.listNetworksByName(name)).filter((n) => n.name === name);
  const found = (await Promise.all(same.map((n) => engine.inspectNetwork(n.id)))).filter(
    (n): n is NetworkDetails => n !== undefined,
  );
  const foreign = found.filter(
    (n) => n.labels[label.project] !== project.name || (n.labels[label.network] ?? "") !== key,
  );
  if (foreign.length > 0) {
    throw new UpError(
      `network ${name} is ambiguous: ${found.length} networks have that name and ${foreign.map((n) => n.id.slice(0, 12)).join(", ")} ${foreign.length > 1 ? "are" : "is"} not project "${project.name}"'s; remove the extra ones`,
    );
  }
  const keep = networkToKeep(found);
  if (!keep) return undefined;
  const extra = found.filter((n) => n.id !== keep.id);
  for (const other of extra) {
    for (const container of other.containers) await moveContainer(engine, container, other.id, keep.id);
    try {
      await engine.removeNetwork(other.id);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  context.warn(
    `network ${name} existed ${found.length} times (duplicates made by runs at once): kept ${keep.id.slice(0, 12)}, removed ${extra.map((n) => n.id.slice(0, 12)).join(", ")}`,
  );
  return engine.inspectNetwork(keep.id);
}

/** Of networks of one name: the one most containers use, else the oldest (then the lowest id). */
export function networkToKeep<T extends { id: string; created?: string; containers: readonly string[] }>(
  networks: readonly T[],
): T | undefined {
  return [...networks].sort(
    (a, b) =>
      b.containers.length - a.containers.length ||
      compareTimes(a.created ?? "", b.created ?? "") ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )[0];
}

/** Orders the engine's RFC 3339 times with their nanoseconds (Go trims a fraction's trailing zeros). */
export function compareTimes(a: string, b: string): number {
  const key = (t: string): bigint | undefined => {
    const m = /^([^.]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
    const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
    if (!m || Number.isNaN(ms)) return undefined;
    return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0").slice(0, 9));
  };
  const ka = key(a);
  const kb = key(b);
  if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Moves a container from one network to another of the same name, keeping its aliases and links. */
async function moveContainer(engine: Engine, container: string, from: string, to: string): Promise<void> {
  const details = await engine.inspectContainer(container);
  const settings = (details.raw.NetworkSettings ?? {}) as {
    Networks?: Record<string, { NetworkID?: string; Aliases?: string[] | null; Links?: string[] | null }>;
  };
  const endpoint = Object.values(settings.Networks ?? {}).find((e) => e.NetworkID === from) ?? {};
  const aliases = (endpoint.Aliases ?? []).filter((a) => !details.id.startsWith(a));
  await engine.disconnectNetwork(from, container, true);
  await engine.connectNetwork(to, container, {
    ...(aliases.length ? { Aliases: aliases } : {}),
    ...(endpoint.Links?.length ? { Links: endpoint.Links } : {}),
  });
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isMapping(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** The body of POST /networks/create the reference sends (create.go resolveOrCreateNetwork). */
export function networkRequest(project: Project, key: string, name: string, network: Mapping) {
  const labels = {
    ...(stringRecord(network.labels) ?? {}),
    [label.network]: key,
    [label.project]: project.name,
    [label.version]: composeVersion,
  };
  const ipam = isMapping(network.ipam) ? network.ipam : {};
  const pools = Array.isArray(ipam.config) ? ipam.config.filter(isMapping) : [];
  const hasIpam = typeof ipam.driver === "string" || pools.length > 0;
  return {
    Name: name,
    ...(typeof network.driver === "string" ? { Driver: network.driver } : {}),
    ...(stringRecord(network.driver_opts) ? { Options: stringRecord(network.driver_opts) } : {}),
    ...(network.internal === true ? { Internal: true } : {}),
    ...(network.attachable === true ? { Attachable: true } : {}),
    ...(network.enable_ipv6 === true ? { EnableIPv6: true } : {}),
    Labels: labels,
    ...(hasIpam
      ? {
          IPAM: {
            ...(typeof ipam.driver === "string" ? { Driver: ipam.driver } : {}),
            Config: pools.map((p) => ({
              ...(p.subnet ? { Subnet: String(p.subnet) } : {}),
              ...(p.ip_range ? { IPRange: String(p.ip_range) } : {}),
              ...(p.gateway ? { Gateway: String(p.gateway) } : {}),
              ...(stringRecord(p.aux_addresses) ? { AuxiliaryAddresses: stringRecord(p.aux_addresses) } : {}),
            })),
          },
        }
      : {}),
  };
}

async function ensureVolumes(context: UpContext): Promise<void> {
  const { engine, project, progress } = context;
  const declared = isMapping(project.model.volumes) ? project.model.volumes : {};
  await Promise.all(
    Object.entries(declared).map(async ([key, raw]) => {
      const volume = isMapping(raw) ? raw : {};
      const name = typeof volume.name === "string" ? volume.name : `${project.name}_${key}`;
      const existing = await engine.inspectVolume(name);
      if (!existing) {
        if (volume.external === true) throw new UpError(`external volume "${name}" not found`);
        const id = resourceId.volume(name);
        progress.event({ id, text: "Creating", status: "working" });
        await engine.createVolume({
          Name: name,
          ...(typeof volume.driver === "string" ? { Driver: volume.driver } : {}),
          ...(stringRecord(volume.driver_opts) ? { DriverOpts: stringRecord(volume.driver_opts) } : {}),
          Labels: {
            ...(stringRecord(volume.labels) ?? {}),
            [label.volume]: key,
            [label.project]: project.name,
            [label.version]: composeVersion,
          },
        });
        progress.event({ id, text: "Created", status: "done" });
        return;
      }
      if (volume.external === true) return;
      const owner = existing.labels[label.project];
      if (owner === undefined) {
        context.warn(
          `volume "${name}" already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`,
        );
      } else if (owner !== project.name) {
        context.warn(
          `volume "${name}" already exists but was created for project "${owner}" (expected "${project.name}"). Use \`external: true\` to use an existing volume`,
        );
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// removal (shared with down)

export async function removeContainers(
  context: Pick<UpContext, "engine" | "progress">,
  containers: readonly ContainerSummary[],
  timeout: number | undefined,
  volumes: boolean,
): Promise<void> {
  const { engine, progress } = context;
  await Promise.all(
    containers.map(async (c) => {
      const id = resourceId.container(canonicalName(c));
      progress.event({ id, text: "Stopping", status: "working" });
      await engine.stopContainer(c.id, timeout);
      progress.event({ id, text: "Stopped", status: "done" });
      progress.event({ id, text: "Removing", status: "working" });
      try {
        await engine.removeContainer(c.id, { force: true, volumes });
      } catch (error) {
        const code = (error as { statusCode?: number }).statusCode;
        if (code !== 404 && code !== 409) throw error;
      }
      progress.event({ id, text: "Removed", status: "done" });
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// start

/** Starts the created containers in dependency order, each service once its dependencies are ready. */
export async function startProject(
  context: UpContext,
  converged: Converged,
  options: StartOptions = {},
): Promise<void> {
  const { engine, project } = context;
  const graph = projectGraph(project);
  const watch = await ReadinessWatch.open(engine, project.name);
  try {
    // A service some other one waits on for health is reported "Started" as still working, like the reference.
    const awaitedForHealth = new Set<string>();
    for (const deps of graph.dependencies.values()) {
      for (const d of deps) if (d.condition === "service_healthy") awaitedForHealth.add(d.service);
    }
    await inDependencyOrder(
      graph,
      converged.services,
      async (name) => {
        const containers = converged.containers.get(name) ?? [];
        await waitDependencies(context, watch, converged, name);
        await startServiceContainers(context, name, containers, options, awaitedForHealth);
      },
      { concurrency: options.concurrency },
    );
    if (options.wait) await waitProject(context, converged, options, watch);
  } finally {
    watch.close();
  }
}

/** --wait: every container of the services running, or healthy when it has a healthcheck. */
export async function waitProject(
  context: UpContext,
  converged: Converged,
  options: StartOptions,
  open?: ReadinessWatch,
): Promise<void> {
  const { progress } = context;
  const watch = open ?? (await ReadinessWatch.open(context.engine, context.project.name));
  try {
    await Promise.all(
      converged.services.map(async (name) => {
        const containers = converged.containers.get(name) ?? [];
        await Promise.all(
          containers.map((c) =>
            watch
              .waitFor([c.id], "running_or_healthy", {
                ...(options.waitTimeout !== undefined ? { timeoutMs: options.waitTimeout } : {}),
                onReady: (d) =>
                  progress.event({
                    id: resourceId.container(canonicalName(c)),
                    text: d.state.running ? (d.state.health === "healthy" ? "Healthy" : "Started") : "Exited",
                    status: "done",
                  }),
              })
              .catch((error: Error) => {
                progress.event({
                  id: resourceId.container(canonicalName(c)),
                  text: "Error",
                  status: "error",
                });
                throw new UpError(
                  `container ${canonicalName(c)}: ${error.message.replace(/^container \S+ /, "")}`,
                );
              }),
          ),
        );
      }),
    );
  } finally {
    if (!open) watch.close();
  }
}

/**
 * Starts a service's containers that are not running, all at once (the reference: one by one), whatever
 * else is starting: on a 2-core Engine 20.10, 20 or 30 starts at once took no longer than any bound on
 * them, and 20 services' starts bounded to 2 or 4 at once took longer (bench/README.md, 2026-12-06).
 * `--parallel` bounds whole services.
 */
async function startServiceContainers(
  context: UpContext,
  name: string,
  containers: readonly ContainerSummary[],
  options: StartOptions,
  awaitedForHealth: ReadonlySet<string>,
): Promise<void> {
  const { engine, project, progress } = context;
  if (containers.length === 0) {
    if (serviceScale(servicesOf(project)[name] ?? {}) === 0) return;
    throw new UpError(`service "${name}" has no container to start`);
  }
  await Promise.all(
    containers.map(async (c) => {
      if (c.state === "running") return;
      const id = resourceId.container(canonicalName(c));
      progress.event({ id, text: "Starting", status: "working" });
      await engine.startContainer(c.id);
      const working = options.wait || awaitedForHealth.has(name);
      progress.event({ id, text: "Started", status: working ? "working" : "done" });
    }),
  );
}

export async function waitDependencies(
  context: UpContext,
  watch: ReadinessWatch,
  converged: Converged,
  name: string,
): Promise<void> {
  const { project, progress } = context;
  const graph = projectGraph(project);
  const services = servicesOf(project);
  const deps = graph.dependencies.get(name) ?? [];
  await Promise.all(
    deps.map(async (dep) => {
      if (dep.condition === "service_started") return;
      const depService = services[dep.service];
      if (!depService || !converged.services.includes(dep.service)) return;
      if (serviceScale(depService) === 0) return;
      const containers = converged.containers.get(dep.service) ?? [];
      if (containers.length === 0) {
        if (dep.required) throw new UpError(`${name} is missing dependency ${dep.service}`);
        context.warn(`${name} is missing dependency ${dep.service}`);
        return;
      }
      const want: Readiness = dep.condition === "service_healthy" ? "healthy" : "completed";
      for (const c of containers) {
        progress.event({ id: resourceId.container(canonicalName(c)), text: "Waiting", status: "working" });
      }
      try {
        await watch.waitFor(
          containers.map((c) => c.id),
          want,
          {
            onReady: (d) =>
              progress.event({
                id: resourceId.container(nameOf(containers, d.id)),
                text: want === "healthy" ? "Healthy" : "Exited",
                status: "done",
              }),
          },
        );
      } catch (error) {
        const message = (error as Error).message;
        if (!dep.required) {
          context.warn(`optional dependency "${dep.service}" failed: ${message}`);
          return;
        }
        for (const c of containers) {
          progress.event({
            id: resourceId.container(canonicalName(c)),
            text: "Error",
            status: "error",
            details: message,
          });
        }
        if (want === "completed") {
          throw new UpError(`service "${dep.service}" ${message}`);
        }
        throw new UpError(`dependency failed to start: ${message}`);
      }
    }),
  );
}
