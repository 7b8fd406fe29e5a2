// `stack deploy`: the loaded project onto a Docker Swarm. The flow and the lines printed are docker stack
// deploy's (docker 20.10, cli/command/stack/swarm/deploy*.go; --detach and --quiet as docker 28): check the
// engine is a manager, convert the model (convert.ts), resolve images as --resolve-image says, plan
// (deploy-plan.ts), write, and with --detach=false wait until the services converge (converge.ts).
import { readFileSync } from "node:fs";
import PQueue from "p-queue";
import { EngineError } from "../engine/errors.js";
import type { Engine, ServiceSpec, SwarmDataObject, SwarmNode, SwarmService } from "../engine/types.js";
import { buildGraph, levels } from "../graph.js";
import { familiarPinned, familiarTagged } from "../image-reference.js";
import { stackLabel } from "../labels.js";
import type { Project } from "../load/index.js";
import { awaitConvergence, awaitDependencies } from "./converge.js";
import { convertStack, type StackObjects, type StackService, stackContentSources } from "./convert.js";
import {
  contentDigest,
  contentDigestLabel,
  type DeployPlan,
  type DeployStep,
  planDeploy,
  type StackObserved,
  unusedVersions,
  withReferences,
} from "./deploy-plan.js";
import { unsatisfiedPlacements } from "./placement.js";
import { stackContents } from "./remove.js";

export type ResolveImage = "always" | "changed" | "never";

export interface DeployOptions {
  namespace: string;
  prune: boolean;
  resolveImage: ResolveImage;
  /** The X-Registry-Auth of an image (--with-registry-auth), undefined when not sent. */
  registryAuth?: (image: string) => string | undefined;
  detach: boolean;
  quiet: boolean;
  dryRun: boolean;
  /** --build: the images were built and pushed, so `build` is no unsupported option. */
  built?: boolean;
}

export interface DeployOutput {
  /** docker's stdout lines (Creating network …). */
  line(text: string): void;
  /** Warnings (stderr). */
  warn(text: string): void;
}

export class StackError extends Error {}

type ServiceStep = Extract<DeployStep, { kind: "create-service" | "update-service" }>;

/** Service creates and updates in flight at once. */
const serviceWrites = 8;

const notManager =
  'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again';

export async function deployStack(
  engine: Engine,
  project: Project,
  options: DeployOptions,
  out: DeployOutput,
): Promise<void> {
  const state = await engine.swarmState();
  if (!state.controlAvailable) throw new StackError(notManager);
  const objects = convertStack({
    model: project.model,
    namespace: options.namespace,
    contents: readContents(project),
  });
  // docker prints a blank line after each.
  for (const w of objects.warnings) {
    const shown = options.built ? withoutBuild(w) : w;
    if (shown) out.warn(`${shown}\n\n`);
  }

  const observed = await observe(engine, options.namespace, objects);
  const nodes = await engine.listNodes();
  const placementErrors = unsatisfiedPlacements(objects.services, nodes);
  if (placementErrors.length > 0) throw new StackError(placementErrors.join("\n"));

  const existing = new Map(observed.services.map((s) => [s.Spec.Name, s]));
  const resolved = await resolveImages(engine, objects.services, existing, options, out);
  if (!options.dryRun) await probeForeignData(engine, objects, observed);
  const order = deployOrder(project);
  const plan = planDeploy({ ...objects, services: resolved }, observed, { prune: options.prune, order });
  if (plan.errors.length > 0) throw new StackError(plan.errors.join("\n"));
  if (options.dryRun) {
    for (const step of plan.steps) out.line(dryRunLine(step));
    return;
  }
  await apply(engine, plan, objects, project, options, out, observed);
  await pruneUnusedVersions(engine, options.namespace, objects, plan, options.quiet ? undefined : out);
  if (!options.detach) {
    await awaitConvergence(
      engine,
      options.namespace,
      resolved.map((s) => s.name),
      options.quiet ? undefined : out,
    );
  }
}

/** docker's unsupported-options warning without `build` (undefined when nothing else is left). */
function withoutBuild(warning: string): string | undefined {
  const prefix = "Ignoring unsupported options: ";
  if (!warning.startsWith(prefix)) return warning;
  const rest = warning
    .slice(prefix.length)
    .split(", ")
    .filter((o) => o !== "build");
  return rest.length > 0 ? `${prefix}${rest.join(", ")}` : undefined;
}

/** The secrets' and configs' contents: files read, environment variables and inline content as given. */
function readContents(project: Project): {
  secrets: Record<string, Buffer>;
  configs: Record<string, Buffer>;
} {
  const sources = stackContentSources(project.model);
  const read = (kind: "secret" | "config", all: typeof sources.secrets) => {
    const out: Record<string, Buffer> = {};
    for (const [key, source] of Object.entries(all)) {
      if (source.file !== undefined) {
        try {
          out[key] = readFileSync(source.file);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? "";
          throw new StackError(
            `${kind} "${key}": cannot read ${source.file}: ${code === "ENOENT" ? "no such file or directory" : code}`,
          );
        }
      } else if (source.environment !== undefined) {
        out[key] = Buffer.from(project.environment[source.environment] ?? "");
      } else if (source.content !== undefined) {
        out[key] = Buffer.from(source.content);
      }
    }
    return out;
  };
  return { secrets: read("secret", sources.secrets), configs: read("config", sources.configs) };
}

async function observe(engine: Engine, namespace: string, objects: StackObjects): Promise<StackObserved> {
  const { services, networks, secrets, configs } = await stackContents(engine, namespace);
  const externalNetworks: Record<string, string | undefined> = {};
  const networkNames: Record<string, string> = {};
  for (const n of networks) networkNames[n.id] = n.name;
  for (const n of objects.networks.filter((n) => n.external)) {
    const found = await engine.inspectNetwork(n.name);
    externalNetworks[n.name] = found?.scope;
    if (found) networkNames[found.id] = found.name;
  }
  const byName = async (
    list: (f: { name: string[] }) => Promise<SwarmDataObject[]>,
    names: string[],
  ): Promise<Record<string, string | undefined>> => {
    if (names.length === 0) return {};
    const found = await list({ name: names });
    return Object.fromEntries(names.map((n) => [n, found.find((o) => o.Spec.Name === n)?.ID]));
  };
  const externalSecrets = await byName(
    (f) => engine.listSecrets(f),
    objects.secrets.filter((s) => s.external).map((s) => s.name),
  );
  const externalConfigs = await byName(
    (f) => engine.listConfigs(f),
    objects.configs.filter((s) => s.external).map((s) => s.name),
  );
  return {
    services,
    networks,
    secrets,
    configs,
    externalNetworks,
    networkNames,
    externalSecrets,
    externalConfigs,
  };
}

/**
 * A secret (config) of the stack that docker made carries no content digest: the engine's label update tells
 * whether its content is the file's (it refuses any other change). An equal one gets the digest label; for
 * another, a digest that matches nothing is noted in memory, so the plan takes a versioned name.
 */
async function probeForeignData(
  engine: Engine,
  objects: StackObjects,
  observed: StackObserved,
): Promise<void> {
  const probe = async (
    kind: "secret" | "config",
    wanted: StackObjects["secrets"],
    have: SwarmDataObject[],
  ) => {
    for (const data of wanted) {
      const found = have.find((o) => o.Spec.Name === data.name);
      if (!data.spec || data.external || !found || found.Spec.Labels?.[contentDigestLabel] !== undefined)
        continue;
      const digest = contentDigest(data.spec.Data);
      const spec = { ...data.spec, Labels: { ...data.spec.Labels, [contentDigestLabel]: digest } };
      try {
        if (kind === "secret") await engine.updateSecret(found.ID, found.Version.Index, spec);
        else await engine.updateConfig(found.ID, found.Version.Index, spec);
        found.Spec = { ...found.Spec, Labels: spec.Labels };
        found.Version = { Index: found.Version.Index + 1 };
      } catch (error) {
        if (!(error instanceof EngineError) || error.statusCode !== 400) throw error;
        found.Spec = { ...found.Spec, Labels: { ...found.Spec.Labels, [contentDigestLabel]: "unknown" } };
      }
    }
  };
  await probe("secret", objects.secrets, observed.secrets);
  await probe("config", objects.configs, observed.configs);
}

/** The services in depends_on order (docker deploys them in a Go map's order). */
function deployOrder(project: Project): string[] {
  return levels(buildGraph(project.model.services)).flat();
}

/**
 * The image each service spec gets, as the docker client sets it: tagged (`:latest` added), pinned to the
 * registry's digest with its platforms when --resolve-image asks (always; changed: when the image differs
 * from the one the service was deployed with), else the deployed image kept when the image is unchanged.
 * A registry that cannot be asked gives docker's warning, and the image stays unpinned.
 */
async function resolveImages(
  engine: Engine,
  services: StackService[],
  existing: Map<string, SwarmService>,
  options: DeployOptions,
  out: DeployOutput,
): Promise<StackService[]> {
  // One registry lookup per image, however many services run it.
  const lookups = new Map<string, ReturnType<Engine["distributionInspect"]>>();
  const inspect = (image: string, auth: string | undefined) => {
    const key = `${image}\n${auth ?? ""}`;
    let found = lookups.get(key);
    if (!found) {
      found = engine.distributionInspect(image, auth);
      lookups.set(key, found);
    }
    return found;
  };
  return Promise.all(
    services.map(async (service) => {
      const current = existing.get(service.name);
      const written = service.image;
      const sameImage = current?.Spec.Labels?.[stackLabel.image] === written;
      let query = options.resolveImage === "always" || (options.resolveImage === "changed" && !sameImage);
      if (!current && options.resolveImage !== "never") query = true;
      const spec: ServiceSpec = structuredClone(service.spec);
      const container = spec.TaskTemplate.ContainerSpec;
      if (current && !query && sameImage) {
        container.Image = current.Spec.TaskTemplate.ContainerSpec.Image;
        return { ...service, spec };
      }
      container.Image = familiarTagged(written);
      if (!query) return { ...service, spec };
      try {
        const found = await inspect(container.Image, options.registryAuth?.(written));
        container.Image = familiarPinned(container.Image, found.digest);
        if (found.platforms.length > 0) {
          spec.TaskTemplate.Placement = {
            ...spec.TaskTemplate.Placement,
            Platforms: found.platforms.map((p) => ({
              // the docker client leaves arm's architecture out (swarmkit#2294: nodes report armv7l)
              Architecture: p.architecture.toLowerCase() === "arm" ? "" : p.architecture,
              OS: p.os,
            })),
          };
        }
      } catch {
        const image = container.Image;
        out.warn(
          `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.\n`,
        );
      }
      return { ...service, spec };
    }),
  );
}

async function apply(
  engine: Engine,
  plan: DeployPlan,
  objects: StackObjects,
  project: Project,
  options: DeployOptions,
  out: DeployOutput,
  observed: StackObserved,
): Promise<void> {
  const say = (text: string) => {
    if (!options.quiet) out.line(text);
  };
  const secretIds = new Map<string, string>();
  const configIds = new Map<string, string>();
  for (const s of observed.secrets) secretIds.set(s.Spec.Name, s.ID);
  for (const c of observed.configs) configIds.set(c.Spec.Name, c.ID);
  for (const [name, id] of Object.entries(observed.externalSecrets)) if (id) secretIds.set(name, id);
  for (const [name, id] of Object.entries(observed.externalConfigs)) if (id) configIds.set(name, id);
  const services: ServiceStep[] = [];
  for (const step of plan.steps) {
    switch (step.kind) {
      case "remove-service":
        say(`Removing service ${step.name}`);
        await engine.removeService(step.id);
        break;
      case "create-network":
        say(`Creating network ${step.name}`);
        await wrap(`failed to create network ${step.name}`, () => engine.createNetwork(step.request));
        break;
      case "create-secret":
        say(`Creating secret ${step.name}`);
        secretIds.set(
          step.name,
          await wrap(`failed to create secret ${step.name}`, () => engine.createSecret(step.spec)),
        );
        break;
      case "update-secret":
        await wrap(`failed to update secret ${step.name}`, () =>
          engine.updateSecret(step.id, step.version, step.spec),
        );
        break;
      case "create-config":
        say(`Creating config ${step.name}`);
        configIds.set(
          step.name,
          await wrap(`failed to create config ${step.name}`, () => engine.createConfig(step.spec)),
        );
        break;
      case "update-config":
        await wrap(`failed to update config ${step.name}`, () =>
          engine.updateConfig(step.id, step.version, step.spec),
        );
        break;
      case "create-service":
      case "update-service":
        services.push(step);
        break;
    }
  }
  // Services go at once, each after its dependencies' writes and (awaitDependencies) their tasks; at most
  // serviceWrites engine calls at a time (the manager answers 20 creates at once in well under a second).
  const queue = new PQueue({ concurrency: serviceWrites });
  const written = new Map<string, Promise<void>>();
  const deployed = new Set<string>();
  for (const step of services) {
    const dependencies = project.model.services[step.key]?.depends_on ?? {};
    const before = Object.keys(dependencies).flatMap((d) => written.get(d) ?? []);
    written.set(
      step.key,
      Promise.all(before).then(async () => {
        await awaitDependencies(
          engine,
          options.namespace,
          step.key,
          dependencies,
          deployed,
          options.quiet ? undefined : out,
        );
        await queue.add(() => writeService(step));
        deployed.add(step.key);
      }),
    );
  }
  const results = await Promise.allSettled(written.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;

  async function writeService(step: ServiceStep): Promise<void> {
    const spec = withIds(step.spec, secretIds, configIds);
    const auth = options.registryAuth?.(objects.services.find((s) => s.key === step.key)?.image ?? "");
    if (step.kind === "create-service") {
      say(`Creating service ${step.name}`);
      const created = await wrap(`failed to create service ${step.name}`, () =>
        engine.createService(spec, auth ? { registryAuth: auth } : {}),
      );
      for (const w of created.warnings) out.warn(w);
    } else {
      say(`Updating service ${step.name} (id: ${step.id})`);
      const updated = await wrap(`failed to update service ${step.name}`, () =>
        engine.updateService(step.id, step.version, spec, auth ? { registryAuth: auth } : {}),
      );
      for (const w of updated.warnings) out.warn(w);
    }
  }
}

/** The secret and config IDs a service spec refers to, by name (docker's convert looks them up too). */
function withIds(spec: ServiceSpec, secrets: Map<string, string>, configs: Map<string, string>): ServiceSpec {
  const c = spec.TaskTemplate.ContainerSpec;
  // A credential spec's config goes by ID too (Windows gMSA; convert puts the config's name there).
  const credential = (c.Privileges?.CredentialSpec ?? undefined) as { Config?: string } | undefined;
  const privileges =
    credential?.Config !== undefined && configs.has(credential.Config)
      ? {
          Privileges: {
            ...c.Privileges,
            CredentialSpec: { ...credential, Config: configs.get(credential.Config) },
          },
        }
      : {};
  return withReferences(
    spec,
    (r) => ({ ...r, SecretID: secrets.get(r.SecretName ?? "") ?? r.SecretID ?? "" }),
    (r) => ({ ...r, ConfigID: configs.get(r.ConfigName ?? "") ?? r.ConfigID ?? "" }),
    privileges,
  );
}

/** A write's failure in docker's words: `failed to create service x: Error response from daemon: …`. */
async function wrap<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof EngineError && error.statusCode !== undefined) {
      const detail = error.message.slice(error.resource.length + 2);
      throw new StackError(`${what}: Error response from daemon: ${detail}`);
    }
    throw new StackError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Secret and config versions no service of the stack refers to any more (not even for a rollback). */
async function pruneUnusedVersions(
  engine: Engine,
  namespace: string,
  objects: StackObjects,
  plan: DeployPlan,
  out: DeployOutput | undefined,
): Promise<void> {
  const filter = { label: { [stackLabel.namespace]: namespace } };
  const [services, secrets, configs] = await Promise.all([
    engine.listServices(filter),
    engine.listSecrets(filter),
    engine.listConfigs(filter),
  ]);
  // The versions this deploy chose stay, used or not (docker creates every top-level secret and config).
  const current = new Set([...Object.values(plan.secretNames), ...Object.values(plan.configNames)]);
  for (const old of unusedVersions(objects.secrets, secrets, services, "secret")) {
    if (current.has(old.Spec.Name)) continue;
    if ((await engine.removeSecret(old.ID)) === "removed") out?.line(`Removing secret ${old.Spec.Name}`);
  }
  for (const old of unusedVersions(objects.configs, configs, services, "config")) {
    if (current.has(old.Spec.Name)) continue;
    if ((await engine.removeConfig(old.ID)) === "removed") out?.line(`Removing config ${old.Spec.Name}`);
  }
}

function dryRunLine(step: DeployStep): string {
  switch (step.kind) {
    case "remove-service":
      return `Would remove service ${step.name} (${step.cause})`;
    case "create-network":
    case "create-secret":
    case "create-config":
    case "create-service":
      return `Would create ${step.kind.slice("create-".length)} ${step.name} (${step.cause})`;
    case "update-secret":
    case "update-config":
      return `Would update ${step.kind.slice("update-".length)} ${step.name} (${step.cause})`;
    case "update-service":
      return step.changes.length > 0
        ? `Would update service ${step.name} (${step.cause})`
        : `Would leave service ${step.name} unchanged`;
  }
}

export type { SwarmNode };
