// `run`: a one-off container of a service (pkg/compose/run.go and cmd/compose/run.go, 2.26): its
// dependencies converged and started first (unless --no-deps), then a container named
// `<project>-<service>-run-<12 hex>` with the oneoff and slug labels, no restart policy, no published ports
// unless --service-ports, the command line's overrides applied. Attaching and waiting are the CLI's.
import { randomBytes } from "node:crypto";
import { type Converged, createWithNetworks, type UpContext, UpError, waitDependencies } from "./apply.js";
import { containerSpec, resolveServiceReferences, resourceNames } from "./container-spec.js";
import { serviceConfigHash, withDefaultPlatform } from "./hash.js";
import { label } from "./labels.js";
import { isMapping, type Mapping } from "./load/document.js";
import { declaredOf, servicesOf, targetServices, withoutDisabledDependencies } from "./plan/desired.js";
import { ReadinessWatch } from "./readiness.js";
import { canonicalName, projectContainers, serviceOf } from "./state.js";
import { createProject, ensureImages } from "./up.js";

export interface RunOptions {
  service: string;
  command?: string[];
  /** --entrypoint, split like the reference (a shell-words string). */
  entrypoint?: string[];
  name?: string;
  detach?: boolean;
  remove?: boolean;
  tty: boolean;
  interactive: boolean;
  user?: string;
  workdir?: string;
  env?: string[];
  labels?: Record<string, string>;
  /** -v entries, already in long form. */
  volumes?: Mapping[];
  /** -p entries, already in long form; ignored with --service-ports. */
  publish?: Mapping[];
  servicePorts?: boolean;
  useAliases?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  noDeps?: boolean;
  removeOrphans?: boolean;
  quietPull?: boolean;
  build?: boolean;
}

/** The service as the one-off container runs it (applyRunOptions + prepareRun of the reference). */
export function oneOffService(
  service: Mapping,
  options: RunOptions,
  environment: Readonly<Record<string, string>>,
): Mapping {
  const out: Mapping = { ...service, tty: options.tty, stdin_open: options.interactive, scale: 1 };
  delete out.container_name;
  delete out.restart;
  if (isMapping(out.deploy)) {
    const { restart_policy: _dropped, ...deploy } = out.deploy;
    out.deploy = deploy;
  }
  if (options.command?.length) out.command = options.command;
  if (options.user) out.user = options.user;
  if (options.workdir) out.working_dir = options.workdir;
  if (options.entrypoint) {
    out.entrypoint = options.entrypoint;
    if (!options.command?.length) out.command = [];
  }
  const capAdd = new Set(Array.isArray(out.cap_add) ? out.cap_add.map(String) : []);
  const capDrop = new Set(Array.isArray(out.cap_drop) ? out.cap_drop.map(String) : []);
  for (const c of options.capAdd ?? []) {
    capAdd.add(c);
    capDrop.delete(c);
  }
  for (const c of options.capDrop ?? []) {
    capDrop.add(c);
    capAdd.delete(c);
  }
  if (options.capAdd?.length || options.capDrop?.length) {
    out.cap_add = [...capAdd];
    out.cap_drop = [...capDrop];
  }
  if (options.env?.length) {
    const env: Mapping = isMapping(out.environment) ? { ...out.environment } : {};
    for (const entry of options.env) {
      const at = entry.indexOf("=");
      if (at >= 0) env[entry.slice(0, at)] = entry.slice(at + 1);
      else if (environment[entry] !== undefined) env[entry] = environment[entry];
    }
    out.environment = env;
  }
  if (options.labels) out.labels = { ...(isMapping(out.labels) ? out.labels : {}), ...options.labels };
  if (!options.servicePorts) out.ports = options.publish ?? [];
  if (options.volumes?.length)
    out.volumes = [...(Array.isArray(out.volumes) ? out.volumes : []), ...options.volumes];
  return out;
}

export interface OneOff {
  id: string;
  name: string;
}

/** Converges the dependencies, then creates (does not start) the one-off container. */
export async function createOneOff(context: UpContext, options: RunOptions): Promise<OneOff> {
  const { engine, project } = context;
  const services = servicesOf(project);
  const base = services[options.service];
  if (!base) throw new UpError(`no such service: ${options.service}`);
  const dependencies = options.noDeps
    ? []
    : targetServices(project, [options.service]).filter((s) => s !== options.service);
  const converged: Converged = await createProject(context, {
    targets: dependencies,
    ...(options.removeOrphans ? { removeOrphans: true } : {}),
    ...(options.quietPull ? { quietPull: true } : {}),
    ...(options.build ? { build: true } : {}),
  });
  if (dependencies.length > 0) {
    const { startProject } = await import("./apply.js");
    await startProject(context, converged);
  }
  const imageIds = await ensureImages(context, [options.service], {
    ...(options.quietPull ? { quietPull: true } : {}),
    ...(options.build ? { build: true } : {}),
  });

  const observed = await projectContainers(engine, project.name, {});
  const byService = new Map<string, string[]>();
  for (const c of observed)
    byService.set(serviceOf(c), [...(byService.get(serviceOf(c)) ?? []), canonicalName(c)]);
  if (!options.noDeps) {
    const watch = await ReadinessWatch.open(engine, project.name);
    try {
      const containers = new Map<string, typeof observed>();
      for (const c of observed) containers.set(serviceOf(c), [...(containers.get(serviceOf(c)) ?? []), c]);
      await waitDependencies(context, watch, { services: dependencies, containers }, options.service);
    } finally {
      watch.close();
    }
  }

  const slug = randomBytes(32).toString("hex");
  const name = options.name ?? `${project.name}-${options.service}-run-${slug.slice(0, 12)}`;
  const firstContainer = (s: string) => observed.find((c) => serviceOf(c) === s)?.id;
  const service = withDefaultPlatform(
    resolveServiceReferences(
      oneOffService(withoutDisabledDependencies(base, services), options, project.environment),
      options.service,
      firstContainer,
    ),
    project.environment,
  );
  const names = resourceNames(project.model);
  const networks: Record<string, string> = { ...names.networks };
  const apiVersion = engine.apiVersion;
  const imageId = imageIds[options.service];
  const spec = containerSpec(service, {
    project: project.name,
    service: options.service,
    number: 1,
    workingDir: project.workingDir,
    configFiles: project.configFiles,
    networks,
    volumes: names.volumes,
    declared: declaredOf(project.model),
    ...(imageId ? { imageId } : {}),
    configHash: serviceConfigHash(service),
    apiVersion,
    oneoff: true,
    useNetworkAliases: options.useAliases === true,
    linkedContainers: Object.fromEntries(byService),
  });
  spec.create.name = name;
  spec.create.Labels = { ...spec.create.Labels, [label.slug]: slug };
  if (options.interactive) {
    spec.create.AttachStdin = true;
    spec.create.OpenStdin = true;
    spec.create.StdinOnce = true;
  }
  if (options.remove) spec.create.HostConfig = { ...spec.create.HostConfig, AutoRemove: true };
  // The reference reports nothing for the one-off container itself: its output follows.
  const created = await createWithNetworks(engine, spec);
  return { id: created.id, name };
}
