// Apply: carries out a plan (src/project/plan/plan.ts) on the engine, the one place `up` and `create`
// change it. Each action runs once the actions it comes after have finished, independent ones at once
// (bounded by --parallel), each reported as the reference reports it (Creating/Created, Recreate/Recreated,
// Starting/Started, Waiting/Healthy …) with its cause. A failed action stops those after it; the others end.
// What the plan could not know is read here, when it is known: the ids of containers created in this run
// (for `network_mode: service:` and the like), the mounts a recreated container inherits.
// Faster than the reference where the engine allows: independent services at once, all containers of a
// scaled service at once (the reference starts them one by one), networks and volumes at once, and waits
// driven by engine events instead of a 500 ms poll.
import PQueue from "p-queue";
import { type containerSpec, inheritedMounts } from "./container-spec.js";
import { serviceScale } from "./converge.js";
import type { ContainerSummary, Engine, NetworkDetails } from "./engine/types.js";
import type { Dependency } from "./graph.js";
import { composeVersion, label } from "./labels.js";
import type { Project } from "./load/index.js";
import type { Network } from "./load/types.js";
import { changedFields } from "./plan/changes.js";
import {
  type DesiredService,
  desiredService,
  desiredSpec,
  projectGraph,
  type SpecContext,
  servicesOf,
  specNetworks,
} from "./plan/desired.js";
import { type OneOffName, oneOffSpec, type RunOptions } from "./plan/one-off.js";
import { type Action, actionWords, type Plan, unchangedEvents } from "./plan/plan.js";
import { type Progress, resourceId } from "./progress.js";
import { type Readiness, ReadinessWatch } from "./readiness.js";
import { canonicalName, containerNumber, containerStub } from "./state.js";

/** What apply needs from outside: the engine, the project (absent for `down -p NAME`), where progress goes. */
export interface ApplyContext {
  engine: Engine;
  project?: Project;
  progress: Progress;
  /** Warnings printed like the reference's logrus WARN lines. */
  warn: (text: string) => void;
  /** The --env-file files (absolute), for the environment_file label the reference writes only then. */
  envFileFlag?: string[];
  /** Builds the images of these services; resolves with service → image id. Absent: building fails. */
  build?: (services: string[]) => Promise<Record<string, string>>;
}

/** `up`, `create`, `run`, `start`: a loaded project. */
export interface UpContext extends ApplyContext {
  project: Project;
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

export interface ApplyOptions {
  /** The image id of each service (pulled, built or found). */
  imageIds: Record<string, string>;
  /** --quiet-pull: pulls report no layer progress. */
  quietPull?: boolean;
  /** --parallel: engine operations at once. */
  concurrency?: number;
  /** Seconds for stopping containers being replaced or removed (-t). */
  timeout?: number;
  /** False with --renew-anon-volumes: recreated containers get new anonymous volumes. */
  inherit?: boolean;
  /** With start actions: how they report, and the events subscription readiness waits use. */
  start?: StartOptions;
  watch?: ReadinessWatch;
  /** `run`: the one-off container's options and name; `beforeStart` attaches to it before it starts. */
  oneOff?: { options: RunOptions; name: OneOffName; beforeStart?: (id: string) => Promise<void> };
}

export interface Applied extends Converged {
  /** The removals of volumes and images that found nothing to remove. */
  missing: Set<number>;
  /** `run`: the one-off container's id. */
  oneOff?: string;
  /** The image id of each service whose image was pulled or built. */
  images: Record<string, string>;
}

/** Carries out the plan; resolves with each service's containers once it is done. */
export async function applyPlan(context: ApplyContext, plan: Plan, options: ApplyOptions): Promise<Applied> {
  const { engine, progress } = context;
  const missing = new Set<number>();
  let oneOff: string | undefined;
  const images: Record<string, string> = {};
  /** Image references whose pull failed where a build can make them. */
  const pullFailed = new Set<string>();
  /** The plan's builds run as one build of their services (one BuildKit session), once every pull ended. */
  let builds: Promise<Record<string, string>> | undefined;
  const buildAll = () => {
    builds ??= (async () => {
      const names = plan.actions
        .filter((b) => b.kind === "build" && (!b.fallback || pullFailed.has(b.resource)))
        .map((b) => b.service ?? "");
      if (!context.build) throw new UpError(`building images is not supported here (${names.join(", ")})`);
      return context.build([...new Set(names)]);
    })();
    return builds;
  };
  const loaded = () => {
    if (!context.project) throw new Error("creating containers needs the project's files");
    return context.project;
  };
  const project = context.project;
  const graph = project ? projectGraph(project) : undefined;
  const live = new Map([...plan.initial].map(([s, cs]) => [s, [...cs]]));
  const targets = [...new Set(plan.actions.flatMap((a) => (a.service ? [a.service] : [])))];
  for (const event of unchangedEvents(plan)) progress.event(event);
  // A service some other one waits on for health is reported "Started" as still working, like the reference.
  const awaitedForHealth = new Set<string>();
  for (const deps of graph?.dependencies.values() ?? []) {
    for (const d of deps) if (d.condition === "service_healthy") awaitedForHealth.add(d.service);
  }
  const services = project ? servicesOf(project) : {};
  /** Each service as created in this run, resolved once its first container is made (after those it names). */
  const desired = new Map<string, DesiredService>();
  const desiredOf = (name: string) => {
    let d = desired.get(name);
    if (!d) {
      d = desiredService(loaded(), name, (s) => live.get(s)?.[0]?.id);
      desired.set(name, d);
    }
    return d;
  };
  const specContext = (name: string): SpecContext => {
    const linkedContainers: Record<string, string[]> = {};
    for (const [s, cs] of live) linkedContainers[s] = cs.map(canonicalName);
    const imageId = options.imageIds[name];
    return {
      project: loaded(),
      networks: plan.networks,
      ...(context.envFileFlag?.length ? { envFileFlag: context.envFileFlag } : {}),
      ...(imageId ? { imageId } : {}),
      apiVersion: engine.apiVersion,
      linkedContainers,
    };
  };
  const replace = (service: string, id: string, by?: ContainerSummary) => {
    const list = (live.get(service) ?? []).filter((c) => c.id !== id);
    if (by) list.push(by);
    live.set(
      service,
      list.sort((a, b) => containerNumber(a) - containerNumber(b)),
    );
  };
  const find = (a: Action) =>
    (live.get(a.service ?? "") ?? []).find((c) => (a.id ? c.id === a.id : canonicalName(c) === a.resource));

  const run = async (a: Action): Promise<void> => {
    const service = a.service ?? "";
    switch (a.kind) {
      case "pull": {
        const { canBuild, pullPlatform, pullServiceImage } = await import("./pull.js");
        const buildable = canBuild(service, services);
        const pulled = await pullServiceImage(
          engine,
          {
            name: service,
            image: a.resource,
            platform: pullPlatform(loaded(), services[service] ?? {}),
            buildable,
          },
          { ...(options.quietPull ? { quiet: true } : {}) },
          progress,
        );
        if (pulled.failure && !buildable) throw new UpError(pulled.failure.message);
        if (pulled.failure) pullFailed.add(a.resource);
        else if (pulled.id) images[service] = pulled.id;
        return;
      }
      case "build": {
        if (a.fallback && !pullFailed.has(a.resource)) return;
        const built = await buildAll();
        if (built[service]) images[service] = built[service];
        return;
      }
      case "create network":
        return createNetwork(context, loaded(), a);
      case "heal network":
        await inspectOrHeal(context, loaded(), a.key ?? a.resource, a.resource);
        return;
      case "create volume":
        return createVolume(context, loaded(), a);
      case "remove network":
        await removeNetwork(context, { name: a.resource, ids: a.ids ?? [] });
        return;
      case "remove volume":
        if (!(await removeVolume(context, a.resource))) missing.add(a.n);
        return;
      case "remove image":
        if (!(await removeImage(context, a.resource))) missing.add(a.n);
        return;
      case "remove": {
        const c = find(a) ?? containerStub(a.id ?? a.resource, a.resource);
        if (a.force) {
          const id = resourceId.container(a.resource);
          progress.event({ id, text: "Removing", status: "working" });
          await engine.removeContainer(c.id, { force: a.engineForce ?? true, volumes: a.volumes === true });
          progress.event({ id, text: "Removed", status: "done" });
        } else await removeContainers(context, [c], options.timeout, a.volumes === true);
        replace(service, c.id);
        return;
      }
      case "stop":
      case "kill":
      case "restart": {
        const { id, texts } = actionWords(a);
        const [doing = "", done = ""] = texts;
        progress.event({ id, text: doing, status: "working" });
        try {
          if (a.kind === "stop") await engine.stopContainer(a.id ?? a.resource, options.timeout);
          else if (a.kind === "kill") await engine.killContainer(a.id ?? a.resource, a.signal);
          else await engine.restartContainer(a.id ?? a.resource, options.timeout);
        } catch (error) {
          // The reference's words, but for restart, which reports nothing more than the error.
          if (a.kind !== "restart") progress.event({ id, text: `Error while ${doing}`, status: "error" });
          throw error;
        }
        progress.event({ id, text: done, status: "done" });
        return;
      }
      case "pause":
      case "unpause": {
        if (a.kind === "pause") await engine.pauseContainer(a.id ?? a.resource);
        else await engine.unpauseContainer(a.id ?? a.resource);
        const { id, texts } = actionWords(a);
        progress.event({ id, text: texts[0] ?? "", status: "done" });
        return;
      }
      case "rename":
        await engine.renameContainer(a.id ?? "", a.resource);
        progress.event({
          id: resourceId.container(a.resource),
          text: "Recreated",
          status: "done",
          cause: a.cause,
        });
        return;
      case "create": {
        const spec = desiredSpec(desiredOf(service), a.number ?? 1, specContext(service));
        const id = resourceId.container(spec.create.name);
        progress.event({ id, text: "Creating", status: "working" });
        const created = await createWithNetworks(engine, spec);
        progress.event({ id, text: "Created", status: "done", cause: a.cause });
        replace(service, created.id, created);
        return;
      }
      case "recreate": {
        const old = find(a);
        if (!old) throw new Error(`recreate ${a.resource}: no such container`);
        const created = await recreate(context, a, old, desiredOf(service), specContext(service), options);
        replace(service, old.id, created);
        return;
      }
      case "start": {
        const c = find(a);
        if (!c) throw new UpError(`service "${service}" has no container ${a.resource} to start`);
        const id = resourceId.container(canonicalName(c));
        progress.event({ id, text: "Starting", status: "working" });
        await engine.startContainer(c.id);
        const working = options.start?.wait || awaitedForHealth.has(service);
        progress.event({ id, text: "Started", status: working ? "working" : "done", cause: a.cause });
        replace(service, c.id, { ...c, state: "running" });
        return;
      }
      case "wait healthy":
      case "wait completed": {
        if (!options.watch) throw new Error("a readiness wait without an events subscription");
        const dependency: Dependency = {
          service,
          condition: a.kind === "wait healthy" ? "service_healthy" : "service_completed_successfully",
          required: a.required !== false,
          restart: false,
        };
        const scaledToZero = serviceScale(services[service] ?? {}) === 0;
        if (scaledToZero) return;
        return waitDependency(context, options.watch, live.get(service) ?? [], a.dependant ?? "", dependency);
      }
      case "wait running":
        // `up --wait` waits after apply (waitProject), as the reference does.
        return;
      // The reference reports nothing for the one-off container itself: its output follows.
      case "create one-off": {
        if (!options.oneOff) throw new Error("a one-off container without run's options");
        const firstContainer = (s: string) => live.get(s)?.[0]?.id;
        const spec = oneOffSpec(
          options.oneOff.options,
          options.oneOff.name,
          specContext(service),
          firstContainer,
        );
        oneOff = (await createWithNetworks(engine, spec)).id;
        return;
      }
      case "start one-off":
        if (!oneOff) throw new Error("starting a one-off container not created");
        await options.oneOff?.beforeStart?.(oneOff);
        await engine.startContainer(oneOff);
        return;
      default: {
        const unknown: never = a.kind;
        throw new Error(`no way to apply ${String(unknown)}`);
      }
    }
  };

  const limit = options.concurrency ? new PQueue({ concurrency: options.concurrency }) : undefined;
  const done = new Map<number, Promise<void>>();
  for (const a of plan.actions) {
    const waiting = a.kind.startsWith("wait");
    const p = Promise.all(a.after.map((n) => done.get(n))).then(() =>
      limit && !waiting ? limit.add(() => run(a)) : run(a),
    );
    // A failure is reported once, below; the actions after it reject with it too.
    p.catch(() => {});
    done.set(a.n, p);
  }
  const results = await Promise.allSettled(done.values());
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return { services: targets, containers: live, missing, images, ...(oneOff ? { oneOff } : {}) };
}

/**
 * Replaces a container (convergence.go recreateContainer): the new one is created as
 * `<12 hex of the old id>_<name>`, taking over the old one's anonymous volumes unless -V, then the old one
 * is stopped and removed and the new one renamed.
 */
async function recreate(
  context: ApplyContext,
  action: Action,
  old: ContainerSummary,
  desired: DesiredService,
  specContext: SpecContext,
  options: ApplyOptions,
): Promise<ContainerSummary> {
  const { engine, progress } = context;
  const id = resourceId.container(canonicalName(old));
  progress.event({ id, text: "Recreate", status: "working" });
  const number = action.number ?? containerNumber(old);
  let inherited: ReturnType<typeof inheritedMounts> | undefined;
  let cause = action.cause;
  const finalSpec = desiredSpec(desired, number, specContext);
  if (options.inherit !== false) {
    const [details, image] = await Promise.all([
      engine.inspectContainer(old.id),
      engine.inspectImage(desired.image),
    ]);
    inherited = inheritedMounts(desired.service, details.mounts, image?.volumes ?? []);
    if (cause === "config hash changed") {
      const fields = changedFields(finalSpec.create, specNetworks(finalSpec), details, image);
      if (fields.length > 0) cause = `${cause}: ${fields.join(", ")}`;
    }
  }
  const finalName = finalSpec.create.name;
  const spec = desiredSpec(desired, number, specContext, {
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
}

/** A `create network` action: the network as the model declares it (its key in `key`). */
async function createNetwork(context: ApplyContext, project: Project, action: Action): Promise<void> {
  const { engine, progress } = context;
  const { key = action.resource, resource: name } = action;
  const network = project.model.networks?.[key] ?? { ipam: {} };
  const id = resourceId.network(name);
  progress.event({ id, text: "Creating", status: "working" });
  try {
    await engine.createNetwork(networkRequest(project, key, name, network));
  } catch (error) {
    progress.event({ id, text: "Error", status: "error" });
    throw new UpError(`failed to create network ${name}: ${(error as Error).message}`);
  }
  progress.event({ id, text: "Created", status: "done", cause: "no network" });
}

/** A `create volume` action: the volume as the model declares it (its key in `key`). */
async function createVolume(context: ApplyContext, project: Project, action: Action): Promise<void> {
  const { engine, progress } = context;
  const { key = action.resource, resource: name } = action;
  const volume = project.model.volumes?.[key] ?? {};
  const id = resourceId.volume(name);
  progress.event({ id, text: "Creating", status: "working" });
  await engine.createVolume({
    Name: name,
    ...(volume.driver !== undefined ? { Driver: volume.driver } : {}),
    ...(volume.driver_opts ? { DriverOpts: { ...volume.driver_opts } } : {}),
    Labels: {
      ...volume.labels,
      [label.volume]: key,
      [label.project]: project.name,
      [label.version]: composeVersion,
    },
  });
  progress.event({ id, text: "Created", status: "done", cause: "no volume" });
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
// networks, volumes, images

/** Removes the networks of one name down observed (observeDown lists them: not listed again here). */
async function removeNetwork(
  context: ApplyContext,
  n: { name: string; ids: readonly string[] },
): Promise<void> {
  const { engine, progress } = context;
  const id = resourceId.network(n.name);
  progress.event({ id, text: "Removing", status: "working" });
  // Several networks of one name (runs at once made them): every one no container uses is removed.
  let inUse = false;
  for (const networkId of n.ids) {
    const details = await engine.inspectNetwork(networkId);
    if (!details) continue;
    if (details.containers.length > 0) {
      inUse = true;
      continue;
    }
    try {
      await engine.removeNetwork(networkId);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) continue;
      progress.event({ id, text: "Error", status: "error" });
      throw new Error(networkRemovalError(n.name, (error as Error).message));
    }
  }
  if (inUse) progress.event({ id, text: "Resource is still in use", status: "warning" });
  else progress.event({ id, text: "Removed", status: "done" });
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

async function removeVolume(context: ApplyContext, volume: string): Promise<boolean> {
  const id = resourceId.plainVolume(volume);
  context.progress.event({ id, text: "Removing", status: "working" });
  const outcome = await context.engine.removeVolume(volume, true);
  if (outcome === "removed") context.progress.event({ id, text: "Removed", status: "done" });
  else if (outcome === "in-use")
    context.progress.event({ id, text: "Resource is still in use", status: "warning" });
  else context.progress.event({ id, text: "Warning: No resource found to remove", status: "done" });
  return outcome !== "missing";
}

async function removeImage(context: ApplyContext, image: string): Promise<boolean> {
  const id = resourceId.image(image);
  context.progress.event({ id, text: "Removing", status: "working" });
  const outcome = await context.engine.removeImage(image);
  if (outcome === "removed") context.progress.event({ id, text: "Removed", status: "done" });
  else if (outcome === "in-use")
    context.progress.event({ id, text: "Resource is still in use", status: "warning" });
  else context.progress.event({ id, text: "Warning: No resource found to remove", status: "done" });
  return outcome !== "missing";
}

/**
 * The project's network of that name. Two runs at once (the reference's, or tcompose's before its project
 * lock) can leave several networks of one name, and every later request by name then fails as
 * "ambiguous": they are healed here. The one to keep (networkToKeep) stays; the containers of the others
 * are moved onto it, keeping their aliases; the others are removed.
 */
async function inspectOrHeal(context: ApplyContext, project: Project, key: string, name: string) {
  const { engine } = context;
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

/** The body of POST /networks/create the reference sends (create.go resolveOrCreateNetwork). */
export function networkRequest(project: Project, key: string, name: string, network: Network) {
  const labels = {
    ...network.labels,
    [label.network]: key,
    [label.project]: project.name,
    [label.version]: composeVersion,
  };
  const { ipam } = network;
  const pools = ipam.config ?? [];
  const hasIpam = ipam.driver !== undefined || pools.length > 0;
  return {
    Name: name,
    CheckDuplicate: true,
    ...(network.driver !== undefined ? { Driver: network.driver } : {}),
    ...(network.driver_opts ? { Options: { ...network.driver_opts } } : {}),
    ...(network.internal === true ? { Internal: true } : {}),
    ...(network.attachable === true ? { Attachable: true } : {}),
    ...(network.enable_ipv6 === true ? { EnableIPv6: true } : {}),
    Labels: labels,
    ...(hasIpam
      ? {
          IPAM: {
            ...(ipam.driver !== undefined ? { Driver: ipam.driver } : {}),
            Config: pools.map((p) => ({
              ...(p.subnet ? { Subnet: p.subnet } : {}),
              ...(p.ip_range ? { IPRange: p.ip_range } : {}),
              ...(p.gateway ? { Gateway: p.gateway } : {}),
              ...(p.aux_addresses ? { AuxiliaryAddresses: { ...p.aux_addresses } } : {}),
            })),
          },
        }
      : {}),
  };
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

/** --wait: every container of the services running, or healthy when it has a healthcheck. */
export async function waitProject(
  context: ApplyContext,
  converged: Converged,
  options: StartOptions,
  open?: ReadinessWatch,
): Promise<void> {
  const { progress } = context;
  const name = context.project?.name;
  if (!open && !name) throw new Error("waiting without a project or an events subscription");
  const watch = open ?? (await ReadinessWatch.open(context.engine, name ?? ""));
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

export async function waitDependencies(
  context: UpContext,
  watch: ReadinessWatch,
  converged: Converged,
  name: string,
): Promise<void> {
  const { project } = context;
  const graph = projectGraph(project);
  const services = servicesOf(project);
  const deps = graph.dependencies.get(name) ?? [];
  await Promise.all(
    deps.map(async (dep) => {
      if (dep.condition === "service_started") return;
      const depService = services[dep.service];
      if (!depService || !converged.services.includes(dep.service)) return;
      if (serviceScale(depService) === 0) return;
      await waitDependency(context, watch, converged.containers.get(dep.service) ?? [], name, dep);
    }),
  );
}

/** Waits until the containers of `name`'s dependency are ready as it asks (healthy, or exited 0). */
export async function waitDependency(
  context: ApplyContext,
  watch: ReadinessWatch,
  containers: readonly ContainerSummary[],
  name: string,
  dep: Dependency,
): Promise<void> {
  const { progress } = context;
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
}

function nameOf(containers: readonly ContainerSummary[], id: string): string {
  const c = containers.find((x) => x.id === id);
  return c ? canonicalName(c) : id.slice(0, 12);
}
