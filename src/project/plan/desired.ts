// Desired state: what the project's services should be on the engine, a pure function of the loaded project.
// Each service as it is hashed, labelled and created (disabled dependencies dropped, `service:` references
// resolved to container ids, the default platform applied), its config hash and its number of containers,
// and the create request of any of its containers. `up`, `create`, `run`, `scale` and the plan read it here.
import { containerSpec, resolveServiceReferences, resourceNames } from "../container-spec.js";
import { serviceScale } from "../converge.js";
import { buildGraph, type Graph, withDependencies } from "../graph.js";
import { serviceConfigHash, withDefaultPlatform } from "../hash.js";
import { builtImageName, label } from "../labels.js";
import type { Project } from "../load/index.js";
import type { ComposeModel, Service } from "../load/types.js";

/** A bad request about the project's services (an unknown service name): exit 1. */
export class ServiceSelectionError extends Error {
  readonly exitCode = 1;
}

export type Services = Record<string, Service>;

export function servicesOf(project: Project): Services {
  return project.model.services;
}

export function projectGraph(project: Project): Graph {
  return buildGraph(servicesOf(project));
}

/** The services an `up svc…` acts on: the named ones and, unless --no-deps, what they depend on. */
export function targetServices(
  project: Project,
  names: readonly string[] | undefined,
  noDeps = false,
): string[] {
  const graph = projectGraph(project);
  if (!names?.length) return [...graph.services];
  for (const n of names)
    if (!graph.dependencies.has(n)) throw new ServiceSelectionError(`no such service: ${n}`);
  return noDeps ? graph.services.filter((s) => names.includes(s)) : withDependencies(graph, names);
}

/** The image a service's containers run: its `image`, else the one its build makes (`<project>-<service>`). */
export function imageOf(project: Project, name: string, service: Service): string {
  return service.image ?? builtImageName(project.name, name);
}

/** The model's volumes, secrets and configs declarations, as the container spec reads them. */
export function declaredOf(model: ComposeModel) {
  const { volumes, secrets, configs } = model;
  return { volumes, secrets, configs };
}

/**
 * `up` drops the depends_on entries that name a service not enabled (an optional one in an inactive
 * profile) before hashing and labelling, as the reference's project does (observed on 2.26.1: an empty
 * depends_on label, and a hash other than `config --hash` prints).
 */
export function withoutDisabledDependencies(service: Service, services: Record<string, unknown>): Service {
  if (!service.depends_on) return service;
  const kept = Object.entries(service.depends_on).filter(([d]) => Object.hasOwn(services, d));
  if (kept.length === Object.keys(service.depends_on).length) return service;
  const { depends_on: _all, ...rest } = service;
  return kept.length ? { ...rest, depends_on: Object.fromEntries(kept) } : rest;
}

/** Whether the service names a container directly (`container:NAME` in a namespace or volumes_from). */
export function hasContainerReference(service: Service): boolean {
  const modes = [service.network_mode, service.ipc, service.pid];
  return [...modes, ...(service.volumes_from ?? [])].some((v) => v?.startsWith("container:"));
}

/** Services another one uses by container (so their containers must exist before its own are made). */
export function containerReferences(service: Service): Set<string> {
  const out = new Set<string>();
  for (const value of [service.network_mode, service.ipc, service.pid]) {
    if (value?.startsWith("service:")) out.add(value.slice("service:".length));
  }
  for (const entry of service.volumes_from ?? []) {
    const [kind, name] = entry.split(":");
    if (kind === "container") continue;
    out.add((kind === "service" ? name : kind) ?? entry);
  }
  for (const link of service.links ?? []) out.add(link.split(":")[0] ?? link);
  return out;
}

export interface DesiredService {
  name: string;
  /** The service as hashed, labelled and created. */
  service: Service;
  configHash: string;
  /** How many containers it should have. */
  scale: number;
  /** The image reference its containers are created from. */
  image: string;
}

/**
 * One service as it should be. `firstContainer` gives the id of the first container of a service it names
 * by `service:` (network_mode, ipc, pid, volumes_from); `scale` overrides the file's (--scale).
 */
export function desiredService(
  project: Project,
  name: string,
  firstContainer: (service: string) => string | undefined,
  scale?: number,
): DesiredService {
  const services = servicesOf(project);
  const raw = withoutDisabledDependencies(services[name] ?? {}, services);
  const service: Service = withDefaultPlatform(
    resolveServiceReferences(raw, name, firstContainer),
    project.environment,
  );
  return {
    name,
    service,
    configHash: serviceConfigHash(service),
    scale: serviceScale(service, scale),
    image: imageOf(project, name, service),
  };
}

/** What the create request of a service's container depends on beyond the service itself. */
export interface SpecContext {
  project: Project;
  /** Network key → the name (or an external network's id) containers are attached by. */
  networks: Record<string, string>;
  /** The --env-file files (absolute), for the label the reference writes only then. */
  envFileFlag?: string[];
  /** The id of the image the containers run (for the image label), when known. */
  imageId?: string;
  apiVersion: string;
  /** Canonical names of each service's containers (for links). */
  linkedContainers: Record<string, string[]>;
}

/** The create request (and networks to connect after it) of the service's container number `number`. */
export function desiredSpec(
  desired: DesiredService,
  number: number,
  context: SpecContext,
  extra: {
    name?: string;
    inherited?: Parameters<typeof containerSpec>[1]["inherited"];
    replace?: string;
    /** `run`'s one-off container: whether it takes the service's network aliases (--use-aliases). */
    oneOff?: { useAliases: boolean };
  } = {},
) {
  const { project } = context;
  const spec = containerSpec(desired.service, {
    project: project.name,
    service: desired.name,
    number,
    workingDir: project.workingDir,
    configFiles: project.configFiles,
    ...(context.envFileFlag?.length ? { envFiles: context.envFileFlag } : {}),
    networks: context.networks,
    volumes: resourceNames(project.model).volumes,
    declared: declaredOf(project.model),
    ...(context.imageId ? { imageId: context.imageId } : {}),
    configHash: desired.configHash,
    apiVersion: context.apiVersion,
    linkedContainers: context.linkedContainers,
    ...(extra.inherited ? { inherited: extra.inherited } : {}),
    ...(extra.oneOff ? { oneoff: true, useNetworkAliases: extra.oneOff.useAliases } : {}),
  });
  if (extra.name) spec.create.name = extra.name;
  if (extra.replace && spec.create.Labels) spec.create.Labels[label.replace] = extra.replace;
  return spec;
}

/** The networks a container made from the spec is on (those of the create request, then connected). */
export function specNetworks(spec: ReturnType<typeof containerSpec>): string[] {
  return [
    ...Object.keys(spec.create.NetworkingConfig?.EndpointsConfig ?? {}),
    ...spec.connect.map((c) => c.network),
  ];
}
