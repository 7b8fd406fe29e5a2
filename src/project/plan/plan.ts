// The plan: from the desired state and the observed one to the actions `up` / `create` take, each with its
// cause and the actions that must finish first. Pure: the same decisions apply makes (converge.ts
// decideService, unfinishedRecreates, recreateHalfMade; the pull and build rules of ensureImages; the
// network, volume and orphan rules), without the engine. `--dry-run` prints it; `--detailed-exitcode`
// asks whether it changes anything.
import { decideService, type RecreatePolicy, recreateHalfMade, unfinishedRecreates } from "../converge.js";
import type { ContainerSummary } from "../engine/types.js";
import { type Graph, levels, withDependents } from "../graph.js";
import { containerName, label } from "../labels.js";
import type { Project } from "../load/index.js";
import { type ProgressEvent, resourceId } from "../progress.js";
import { canonicalName, containerNumber, containerStub, serviceOf } from "../state.js";
import { changedFields } from "./changes.js";
import {
  containerReferences,
  type DesiredService,
  desiredService,
  desiredSpec,
  hasContainerReference,
  projectGraph,
  type SpecContext,
  servicesOf,
  specNetworks,
} from "./desired.js";
import type { Observed } from "./observed.js";

export type ActionKind =
  | "pull"
  | "build"
  | "create network"
  | "heal network"
  | "create volume"
  | "remove"
  | "stop"
  | "kill"
  | "restart"
  | "pause"
  | "unpause"
  | "remove network"
  | "remove volume"
  | "remove image"
  | "rename"
  | "create"
  | "recreate"
  | "start"
  | "create one-off"
  | "start one-off"
  | "wait healthy"
  | "wait completed"
  | "wait running";

export interface Action {
  /** 1-based, in the order apply may take them. */
  n: number;
  kind: ActionKind;
  /** What it acts on: a container, network or volume name, an image reference. */
  resource: string;
  /** The service it belongs to, if any. */
  service?: string;
  cause: string;
  /** Actions that must finish first. */
  after: number[];
  /** For a wait on a service: its containers. */
  containers?: string[];
  /** The existing container acted on (remove, rename, recreate, start). */
  id?: string;
  /** The number of the container to create. */
  number?: number;
  /** A network's or volume's key in the model. */
  key?: string;
  /** A network's removal: the ids of the project's networks of that name, as observed (several: duplicates). */
  ids?: string[];
  /** A remove without stopping first (what an interrupted recreate left, never started). */
  force?: boolean;
  /** A container's remove takes its anonymous volumes too (down -v). */
  volumes?: boolean;
  /** A remove without stopping: whether the engine may remove it running (rm -f); default yes. */
  engineForce?: boolean;
  /** A kill's signal. */
  signal?: string;
  /** A build that happens only if the pull of its image (an action before it) fails. */
  fallback?: boolean;
  /** A wait: the service that waits, and whether the dependency is required. */
  dependant?: string;
  required?: boolean;
}

export interface Plan {
  project: string;
  actions: Action[];
  /** Containers left as they are, with their state (running, exited, created). */
  unchanged: { name: string; state: string }[];
  /** Warnings apply would print (orphans, resources not made by compose). */
  warnings: string[];
  /** Network key → the name (or an external network's id) containers are attached by. */
  networks: Record<string, string>;
  /** Each service's containers once what an interrupted recreate left is settled, before any action. */
  initial: Map<string, ContainerSummary[]>;
}

export interface PlanOptions {
  /** The services acted on (named ones and their dependencies, or exactly these). */
  targets: readonly string[];
  /** The services named on the command line (none: all). */
  named?: readonly string[];
  recreate?: RecreatePolicy;
  recreateDependencies?: RecreatePolicy;
  removeOrphans?: boolean;
  ignoreOrphans?: boolean;
  scale?: Record<string, number>;
  pull?: "always" | "missing" | "never" | "policy";
  /** true: --build; false: --no-build. */
  build?: boolean;
  /** `up`: start the containers. */
  start?: boolean;
  /** --wait */
  wait?: boolean;
  /** The images are there (pulled and built): each service's image id; no pull or build is planned. */
  images?: Record<string, string>;
  /**
   * `run`: a one-off container of this service, created (named `name`) once the targets (its dependencies)
   * are started and ready, and started after.
   */
  oneOff?: { service: string; name: string };
}

export interface PlanInput {
  project: Project;
  observed: Observed;
  options: PlanOptions;
  apiVersion: string;
  envFileFlag?: string[];
}

/** A failure apply would meet before changing anything (a missing external network …): exit 1. */
export class PlanError extends Error {
  readonly exitCode = 1;
}

/** Whether carrying out the plan changes anything on the engine (waits do not). */
export function changes(plan: Plan): boolean {
  return plan.actions.some((a) => !a.kind.startsWith("wait"));
}

export function planUp(input: PlanInput): Plan {
  const { project, observed, options } = input;
  const services = servicesOf(project);
  const graph = projectGraph(project);
  const selected = new Set(options.targets);
  const actions: Action[] = [];
  const warnings: string[] = [];
  const unchanged: Plan["unchanged"] = [];
  const add = actionAdder(actions);

  // Images (the one-off's service too).
  const { imageActions, newImage } = addImageActions(input, add);

  // Networks and volumes.
  const networks: Record<string, string> = {};
  const resources: number[] = [];
  for (const n of observed.networks) {
    networks[n.key] = n.name;
    if (n.external) {
      if (n.ambiguous) {
        throw new PlanError(
          `multiple networks with name "${n.name}" were found. Use network ID as \`name\` to avoid ambiguity`,
        );
      }
      if (!n.found) throw new PlanError(`network ${n.name} declared as external, but could not be found`);
      networks[n.key] = n.found.id;
      continue;
    }
    if (n.ambiguous) {
      const cause = "several networks of that name (left by runs at once)";
      resources.push(add({ kind: "heal network", resource: n.name, key: n.key, cause, after: [] }));
      continue;
    }
    if (!n.found) {
      resources.push(
        add({ kind: "create network", resource: n.name, key: n.key, cause: "no network", after: [] }),
      );
      continue;
    }
    const owner = n.found.labels[label.project];
    if (owner === undefined) {
      warnings.push(
        `a network with name ${n.name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`,
      );
    } else if (owner !== project.name) {
      warnings.push(
        `a network with name ${n.name} exists but was not created for project "${project.name}".\nSet \`external: true\` to use an existing network`,
      );
    }
    if ((n.found.labels[label.network] ?? "") !== n.key && owner !== undefined) {
      throw new PlanError(
        `network ${n.name} was found but has incorrect label ${label.network} set to "${n.found.labels[label.network] ?? ""}"`,
      );
    }
  }
  for (const v of observed.volumes) {
    if (!v.found) {
      if (v.external) throw new PlanError(`external volume "${v.name}" not found`);
      resources.push(
        add({ kind: "create volume", resource: v.name, key: v.key, cause: "no volume", after: [] }),
      );
      continue;
    }
    if (v.external) continue;
    const owner = v.found.labels[label.project];
    if (owner === undefined) {
      warnings.push(
        `volume "${v.name}" already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`,
      );
    } else if (owner !== project.name) {
      warnings.push(
        `volume "${v.name}" already exists but was created for project "${owner}" (expected "${project.name}"). Use \`external: true\` to use an existing volume`,
      );
    }
  }

  // What an interrupted recreate left, then orphans.
  const state = new Map<string, ContainerSummary[]>();
  const listed = observed.containers.filter((c) => c.labels[label.oneoff] !== "True");
  const cleanup: number[] = [];
  for (const name of graph.services) {
    const mine = listed.filter((c) => serviceOf(c) === name);
    if (!selected.has(name)) {
      state.set(name, mine);
      continue;
    }
    const fixed = services[name]?.container_name;
    const left = unfinishedRecreates(mine, (n) =>
      typeof fixed === "string" ? fixed : containerName(project.name, name, n),
    );
    for (const c of left.remove) {
      cleanup.push(
        add({
          kind: "remove",
          resource: canonicalName(c),
          service: name,
          id: c.id,
          force: true,
          cause: "left by an interrupted recreate",
          after: [],
        }),
      );
    }
    for (const r of left.rename) {
      cleanup.push(
        add({
          kind: "rename",
          resource: r.name,
          service: name,
          id: r.container.id,
          cause: `an interrupted recreate left it as ${canonicalName(r.container)}`,
          after: [],
        }),
      );
    }
    state.set(name, left.containers);
  }
  const known = new Set([...Object.keys(services), ...project.allServices]);
  const orphans = listed.filter((c) => !known.has(serviceOf(c)));
  if (orphans.length > 0 && !options.ignoreOrphans) {
    if (options.removeOrphans) {
      for (const c of orphans) {
        cleanup.push(
          add({
            kind: "remove",
            resource: canonicalName(c),
            service: serviceOf(c),
            id: c.id,
            cause: `orphan (service ${serviceOf(c)} is not in the file)`,
            after: [],
          }),
        );
      }
    } else {
      warnings.push(
        `Found orphan containers ([${orphans.map(canonicalName).join(" ")}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      );
    }
  }

  const initial = new Map([...state].map(([k, v]) => [k, [...v]]));

  // Containers, service by service in dependency order.
  const forced = new Map<string, string>();
  const made = new Map<string, number[]>();
  /** A container the plan makes: no id yet. */
  const placeholder = (name: string) => containerStub(`(new ${name})`, name, "created");
  const firstContainer = (s: string) => state.get(s)?.[0]?.id;

  for (const name of levels(graph).flat()) {
    if (!selected.has(name)) continue;
    const desired: DesiredService = desiredService(project, name, firstContainer, options.scale?.[name]);
    const named = !options.named?.length || options.named.includes(name);
    const policy = (named ? options.recreate : options.recreateDependencies) ?? "diverged";
    const current = state.get(name) ?? [];
    const local = observed.images.get(desired.image);
    const imageId = options.images ? options.images[name] : newImage.has(name) ? undefined : local?.id;
    const forcedBy = forced.get(name);
    let decision = decideService(
      {
        configHash: desired.configHash,
        ...(imageId ? { imageId } : {}),
        scale: desired.scale,
        ...(forcedBy !== undefined ? { forcedBy } : {}),
      },
      current,
      policy,
    );
    const linkedContainers: Record<string, string[]> = {};
    for (const [s, cs] of state) linkedContainers[s] = cs.map(canonicalName);
    const context: SpecContext = {
      project,
      networks,
      ...(input.envFileFlag?.length ? { envFileFlag: input.envFileFlag } : {}),
      ...(imageId ? { imageId } : {}),
      apiVersion: input.apiVersion,
      linkedContainers,
    };
    const spec1 = desiredSpec(desired, 1, context);
    const networkNames = specNetworks(spec1);
    // By name, as the listing has them (an external network is connected by id).
    const listedName = (network: string) =>
      observed.networks.find((n) => n.found?.id === network)?.name ?? network;
    decision = recreateHalfMade(
      decision,
      spec1.connect.map((c) => listedName(c.network)),
    );
    // A new image: the containers that would be kept are recreated if its id changes (assumed here).
    const image = newImage.get(name);
    if (image && policy !== "never") {
      for (const c of decision.keep)
        decision.causes.set(c.id, `image to be ${image} (recreated if it changes)`);
      decision = { ...decision, recreate: [...decision.recreate, ...decision.keep], keep: [] };
    }
    if (decision.recreate.length > 0) {
      for (const d of withDependents(graph, [name])) if (d !== name && !forced.has(d)) forced.set(d, name);
    }
    const deps = (graph.dependencies.get(name) ?? []).filter((d) => selected.has(d.service));
    const hard = hasContainerReference(services[name] ?? {})
      ? deps.map((d) => d.service)
      : [...containerReferences(services[name] ?? {})].filter((d) => selected.has(d));
    const before = [
      ...(imageActions.get(name) ?? []),
      ...resources,
      ...cleanup,
      ...hard.flatMap((d) => made.get(d) ?? []),
    ];
    const mine: number[] = [];
    const scaleCause = `scale ${current.length} → ${desired.scale}`;
    for (const c of decision.remove) {
      mine.push(
        add({
          kind: "remove",
          resource: canonicalName(c),
          service: name,
          id: c.id,
          cause: scaleCause,
          after: before,
        }),
      );
    }
    const next: ContainerSummary[] = [...decision.keep];
    for (const c of decision.recreate) {
      let cause = decision.causes.get(c.id) ?? "";
      const details = observed.details.get(c.id);
      if (cause === "config hash changed" && details) {
        const spec = containerNumber(c) === 1 ? spec1 : desiredSpec(desired, containerNumber(c), context);
        const fields = changedFields(spec.create, networkNames, details, local);
        if (fields.length > 0) cause = `${cause}: ${fields.join(", ")}`;
      }
      const number = containerNumber(c);
      mine.push(
        add({
          kind: "recreate",
          resource: canonicalName(c),
          service: name,
          id: c.id,
          number,
          cause,
          after: before,
        }),
      );
      next.push({ ...placeholder(canonicalName(c)), labels: c.labels });
    }
    for (const number of decision.create) {
      const resource = desiredSpec(desired, number, context).create.name;
      const cause = current.length === 0 ? "no container" : scaleCause;
      mine.push(add({ kind: "create", resource, service: name, number, cause, after: before }));
      next.push({
        ...placeholder(resource),
        labels: { [label.containerNumber]: String(number) },
      });
    }
    made.set(
      name,
      mine.filter((n) => actions[n - 1]?.kind !== "remove"),
    );
    state.set(
      name,
      next.sort((a, b) => containerNumber(a) - containerNumber(b)),
    );
    for (const c of decision.keep) {
      unchanged.push({ name: canonicalName(c), state: c.state });
    }
  }

  // Starts, once every container is created (creating never waits on readiness, and starts that overlap
  // creates slow both down on Engine 20.10), each after its dependencies' starts and the waits on them.
  const started = options.start ? addStarts({ graph, selected, state, made, actions, add }) : new Map();
  if (options.oneOff) {
    const { service, name } = options.oneOff;
    const waits = addWaits({ graph, selected, state, made, actions, add }, service, started);
    const creation = add({
      kind: "create one-off",
      resource: name,
      service,
      cause: `run ${service}`,
      after: [
        ...(imageActions.get(service) ?? []),
        ...resources,
        ...cleanup,
        ...[...made.values()].flat(),
        ...[...started.values()].flat(),
        ...waits,
      ],
    });
    add({ kind: "start one-off", resource: name, service, cause: `run ${service}`, after: [creation] });
  }
  if (options.start && options.wait) {
    for (const name of options.targets) {
      for (const c of state.get(name) ?? []) {
        add({
          kind: "wait running",
          resource: canonicalName(c),
          service: name,
          cause: "--wait",
          after: actions.filter((a) => a.kind === "start" && a.resource === canonicalName(c)).map((a) => a.n),
        });
      }
    }
  }
  return { project: project.name, actions, unchanged, warnings, networks, initial };
}

/** The services whose images a plan makes: the targets and the one-off's service. */
function imageTargets(options: PlanOptions): string[] {
  return [...new Set([...options.targets, ...(options.oneOff ? [options.oneOff.service] : [])])];
}

/**
 * The pulls, then the builds (the reference's pullRequiredImages, then its builds): a pull of what the
 * policy asks for (always, or missing and absent), once per image reference; a build of what has a build
 * section and must be built (--build, pull_policy: build) or is absent and not pulled, else, when its image
 * is pulled, a build only if that pull fails (`fallback`). Resolves with each service's image actions and
 * how its image will be new (pulled, built).
 */
function addImageActions(
  input: PlanInput,
  add: (action: Omit<Action, "n">) => number,
): { imageActions: Map<string, number[]>; newImage: Map<string, string> } {
  const { project, observed, options } = input;
  const services = servicesOf(project);
  const names = imageTargets(options);
  for (const name of names) {
    const service = services[name] ?? {};
    if (service.build === undefined && typeof service.image !== "string") {
      throw new PlanError(`invalid service "${name}". Must specify either image or build`);
    }
  }
  const imageActions = new Map<string, number[]>();
  const newImage = new Map<string, string>();
  if (options.images) return { imageActions, newImage };
  const refOf = (name: string) => services[name]?.image ?? `${project.name}-${name}`;
  const byRef = new Map<string, number[]>();
  const note = (ref: string, n: number) => byRef.set(ref, [...(byRef.get(ref) ?? []), n]);
  const pulls: number[] = [];
  const flag = options.pull && options.pull !== "policy";
  for (const name of names) {
    const service = services[name] ?? {};
    const ref = refOf(name);
    const policy = flag ? options.pull : service.pull_policy;
    if (service.image === undefined || policy === "never" || policy === "build") continue;
    const always = policy === "always";
    if ((always || !observed.images.get(ref)) && !byRef.has(ref)) {
      const cause = always ? (flag ? "--pull always" : "pull_policy: always") : "image missing";
      const n = add({ kind: "pull", resource: ref, service: name, cause, after: [] });
      pulls.push(n);
      note(ref, n);
      newImage.set(name, "pulled");
    }
  }
  const pulled = new Set(byRef.keys());
  for (const name of names) {
    const service = services[name] ?? {};
    if (service.build === undefined || options.build === false) continue;
    const ref = refOf(name);
    const forced = options.build === true || service.pull_policy === "build";
    if (!forced && observed.images.get(ref)) continue;
    const fallback = !forced && pulled.has(ref);
    const cause = options.build === true ? "--build" : forced ? "pull_policy: build" : "image missing";
    const n = add({
      kind: "build",
      resource: ref,
      service: name,
      cause: fallback ? "if the pull fails" : cause,
      ...(fallback ? { fallback: true } : {}),
      after: pulls,
    });
    note(ref, n);
    if (!fallback) newImage.set(name, "built");
  }
  for (const name of names) imageActions.set(name, byRef.get(refOf(name)) ?? []);
  return { imageActions, newImage };
}

/** `up`, `create`, `run`: the images to pull and build first, alone (apply makes them before the plan of the containers is made). */
export function planImages(input: PlanInput): Plan {
  const actions: Action[] = [];
  addImageActions(input, actionAdder(actions));
  return planOf(input.project.name, actions);
}

/** The plan as lines: `#4 web-1 recreate (config hash changed: environment.DB_HOST) after #2 #3`. */
export function renderPlan(plan: Plan): string[] {
  const containerKinds = new Set<ActionKind>([
    "create",
    "recreate",
    "remove",
    "rename",
    "start",
    "create one-off",
    "start one-off",
    "stop",
    "kill",
    "restart",
    "pause",
    "unpause",
    "wait running",
  ]);
  const short = (a: Action) =>
    containerKinds.has(a.kind) && a.resource.startsWith(`${plan.project}-`)
      ? a.resource.slice(plan.project.length + 1)
      : a.resource;
  return plan.actions.map((a) => {
    const after = a.after.length ? ` after ${a.after.map((n) => `#${n}`).join(" ")}` : "";
    return `#${a.n} ${short(a)} ${a.kind} (${a.cause})${after}`;
  });
}

/** How the reference words an action: the resource's id and its states in order (the last one: done). */
export function actionWords(a: Action): { id: string; texts: string[] } {
  const container = resourceId.container(a.resource);
  switch (a.kind) {
    case "pull":
      return { id: a.service ?? a.resource, texts: ["Pulling", "Pulled"] };
    case "build":
      return { id: resourceId.image(a.resource), texts: ["Building", "Built"] };
    case "create network":
    case "heal network":
      return { id: resourceId.network(a.resource), texts: ["Creating", "Created"] };
    case "create volume":
      return { id: resourceId.volume(a.resource), texts: ["Creating", "Created"] };
    case "remove":
      return {
        id: container,
        texts: a.force ? ["Removing", "Removed"] : ["Stopping", "Stopped", "Removing", "Removed"],
      };
    case "stop":
      return { id: container, texts: ["Stopping", "Stopped"] };
    case "kill":
      return { id: container, texts: ["Killing", "Killed"] };
    case "restart":
      return { id: container, texts: ["Restarting", "Started"] };
    case "pause":
      return { id: container, texts: ["Paused"] };
    case "unpause":
      return { id: container, texts: ["Unpaused"] };
    case "remove network":
      return { id: resourceId.network(a.resource), texts: ["Removing", "Removed"] };
    case "remove volume":
      return { id: resourceId.plainVolume(a.resource), texts: ["Removing", "Removed"] };
    case "remove image":
      return { id: resourceId.image(a.resource), texts: ["Removing", "Removed"] };
    case "rename":
      return { id: container, texts: ["Recreated"] };
    case "create":
      return { id: container, texts: ["Creating", "Created"] };
    case "recreate":
      return { id: container, texts: ["Recreate", "Recreated"] };
    case "start":
    case "start one-off":
      return { id: container, texts: ["Starting", "Started"] };
    case "create one-off":
      return { id: container, texts: ["Creating", "Created"] };
    case "wait healthy":
      return { id: container, texts: ["Waiting", "Healthy"] };
    case "wait completed":
      return { id: container, texts: ["Waiting", "Exited"] };
    case "wait running":
      return { id: container, texts: ["Waiting", "Running"] };
  }
}

/** What apply reports first: the containers left as they are, `Running`, or `Created` when stopped. */
export function unchangedEvents(plan: Plan): ProgressEvent[] {
  return plan.unchanged.flatMap((u): ProgressEvent[] => {
    const id = resourceId.container(u.name);
    if (u.state === "running") return [{ id, text: "Running", status: "done" }];
    if (u.state === "exited" || u.state === "created") return [{ id, text: "Created", status: "done" }];
    return [];
  });
}

/**
 * The progress events carrying out the plan would report, in the plan's order, in the reference's words
 * (a dry run prints them); each action's last event carries its cause.
 */
export function planEvents(plan: Plan): ProgressEvent[] {
  const out: ProgressEvent[] = unchangedEvents(plan);
  // A build only if a pull fails is not something the plan says will happen.
  for (const a of plan.actions.filter((x) => !x.fallback)) {
    const { id, texts } = actionWords(a);
    // A wait on a service reports each of its containers; a pull names the service, its words after it.
    const waitsOn = a.kind === "wait healthy" || a.kind === "wait completed";
    const ids = waitsOn ? (a.containers ?? []).map((c) => resourceId.container(c)) : [id];
    for (const each of ids) {
      texts.forEach((text, i) => {
        const last = i === texts.length - 1;
        out.push({
          id: each,
          text,
          status: last ? "done" : "working",
          ...(a.kind === "pull" ? { textAfterId: true } : {}),
          ...(last ? { cause: a.cause } : {}),
        });
      });
    }
  }
  return out;
}

/** The plan as JSON lines: one object per action (n, action, resource, service, cause, depends_on). */
export function planJson(plan: Plan): string[] {
  return plan.actions.map((a) =>
    JSON.stringify({
      n: a.n,
      action: a.kind,
      resource: a.resource,
      ...(a.service ? { service: a.service } : {}),
      cause: a.cause,
      depends_on: a.after,
    }),
  );
}

interface StartContext {
  graph: ReturnType<typeof projectGraph>;
  selected: ReadonlySet<string>;
  /** Each service's containers as they will be (new ones have an id starting `(new `). */
  state: ReadonlyMap<string, readonly ContainerSummary[]>;
  /** Each service's create and recreate actions. */
  made: ReadonlyMap<string, number[]>;
  actions: Action[];
  add: (action: Omit<Action, "n">) => number;
}

/**
 * The starts of the selected services' containers that are not running, in dependency order: each after
 * every creation, its dependencies' starts, and a wait on each dependency that must be healthy or have
 * completed.
 */
function addStarts(context: StartContext): Map<string, number[]> {
  const { graph, selected, state, made, actions, add } = context;
  const creations = actions.filter((a) => a.kind === "create" || a.kind === "recreate").map((a) => a.n);
  const startedActions = new Map<string, number[]>();
  for (const name of levels(graph).flat()) {
    if (!selected.has(name)) continue;
    const deps = (graph.dependencies.get(name) ?? []).filter((d) => selected.has(d.service));
    const mine = made.get(name) ?? [];
    const waitFor = addWaits(context, name, startedActions);
    const starts: number[] = [];
    for (const c of state.get(name) ?? []) {
      const creation = mine.find((n) => actions[n - 1]?.resource === canonicalName(c));
      if (!creation && c.state === "running") continue;
      const kind = creation ? actions[creation - 1]?.kind : undefined;
      starts.push(
        add({
          kind: "start",
          resource: canonicalName(c),
          service: name,
          ...(creation ? {} : { id: c.id }),
          cause:
            kind === "recreate"
              ? "recreated"
              : kind === "create"
                ? "new container"
                : `not running (${c.state})`,
          after: [...creations, ...waitFor, ...deps.flatMap((d) => startedActions.get(d.service) ?? [])],
        }),
      );
    }
    startedActions.set(name, starts);
  }
  return startedActions;
}

/** The waits of `name` on each selected dependency that must be healthy or have completed, after its starts. */
function addWaits(
  { graph, selected, state, add }: StartContext,
  name: string,
  startedActions: ReadonlyMap<string, number[]>,
): number[] {
  const deps = (graph.dependencies.get(name) ?? []).filter((d) => selected.has(d.service));
  return deps
    .filter((d) => d.condition !== "service_started")
    .map((d) =>
      add({
        kind: d.condition === "service_healthy" ? "wait healthy" : "wait completed",
        resource: d.service,
        service: d.service,
        containers: (state.get(d.service) ?? []).map(canonicalName),
        cause: `${name} depends on ${d.service} (${d.condition})`,
        dependant: name,
        required: d.required,
        after: startedActions.get(d.service) ?? [],
      }),
    );
}

export interface StartInput {
  project: string;
  /** The services and their dependencies (from the files, or from the containers' labels). */
  graph: Graph;
  /** The services to start. */
  services: readonly string[];
  /** Each service's containers (every service's: whether the project has any matters). */
  containers: ReadonlyMap<string, readonly ContainerSummary[]>;
  /** Services scaled to 0: skipped. */
  scaledToZero?: ReadonlySet<string>;
}

/**
 * `start`: the services' containers that are not running, in dependency order, with the readiness waits.
 * As the reference's start.go (2.26.1) does, a service without containers is skipped, unless the project
 * has none at all: then the first service to start fails, before anything is done.
 */
export function planStart({ project, graph, services, containers, scaledToZero }: StartInput): Plan {
  if (graph.services.length === 0)
    throw new PlanError(`no container found for project "${project}": not found`);
  if ([...containers.values()].every((cs) => cs.length === 0)) {
    const first = levels(graph)
      .flat()
      .find((s) => services.includes(s) && !scaledToZero?.has(s));
    if (first) throw new PlanError(`service "${first}" has no container to start`);
  }
  const actions: Action[] = [];
  const add = actionAdder(actions);
  addStarts({ graph, selected: new Set(services), state: containers, made: new Map(), actions, add });
  return planOf(project, actions, new Map([...containers].map(([k, v]) => [k, [...v]])));
}

/** Appends actions to `actions`, numbered from 1; resolves with the number (`after` deduplicated, sorted). */
export function actionAdder(actions: Action[]): (action: Omit<Action, "n">) => number {
  return (action) => {
    const n = actions.length + 1;
    actions.push({ ...action, n, after: [...new Set(action.after)].sort((a, b) => a - b) });
    return n;
  };
}

/** A plan that is a list of actions alone (down, stop, restart, kill, rm, start). */
export function planOf(
  project: string,
  actions: Action[],
  initial: Map<string, ContainerSummary[]> = new Map(),
): Plan {
  return { project, actions, unchanged: [], warnings: [], networks: {}, initial };
}
