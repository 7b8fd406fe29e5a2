// `run`'s one-off container as it should be, a pure function of the project and the command line
// (applyRunOptions and prepareRun of the reference's pkg/compose/run.go, 2.26): the service with the
// command line's overrides, no restart policy, no container_name, no published ports unless
// --service-ports, named `<project>-<service>-run-<12 hex>` with the oneoff and slug labels.
import { randomBytes } from "node:crypto";
import { resolveServiceReferences, resourceNames } from "../container-spec.js";
import { serviceConfigHash, withDefaultPlatform } from "../hash.js";
import { label } from "../labels.js";
import type { Service, ServicePort, ServiceVolume } from "../load/types.js";
import { desiredSpec, type SpecContext, servicesOf, withoutDisabledDependencies } from "./desired.js";

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
  volumes?: ServiceVolume[];
  /** -p entries, already in long form; ignored with --service-ports. */
  publish?: ServicePort[];
  servicePorts?: boolean;
  useAliases?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  noDeps?: boolean;
  removeOrphans?: boolean;
  quietPull?: boolean;
  build?: boolean;
}

/** The one-off container's identity, chosen once per run: its slug label and its name. */
export interface OneOffName {
  slug: string;
  name: string;
}

export function oneOffName(project: string, options: Pick<RunOptions, "service" | "name">): OneOffName {
  const slug = randomBytes(32).toString("hex");
  return { slug, name: options.name ?? `${project}-${options.service}-run-${slug.slice(0, 12)}` };
}

/** The service as the one-off container runs it (applyRunOptions + prepareRun of the reference). */
export function oneOffService(
  service: Service,
  options: RunOptions,
  environment: Readonly<Record<string, string>>,
): Service {
  const out: Service = { ...service, tty: options.tty, stdin_open: options.interactive, scale: 1 };
  delete out.container_name;
  delete out.restart;
  if (out.deploy) {
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
  const capAdd = new Set(out.cap_add ?? []);
  const capDrop = new Set(out.cap_drop ?? []);
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
    const env: Record<string, string | null> = { ...(out.environment ?? {}) };
    for (const entry of options.env) {
      const at = entry.indexOf("=");
      if (at >= 0) env[entry.slice(0, at)] = entry.slice(at + 1);
      else if (environment[entry] !== undefined) env[entry] = environment[entry];
    }
    out.environment = env;
  }
  if (options.labels) out.labels = { ...(out.labels ?? {}), ...options.labels };
  if (!options.servicePorts) out.ports = options.publish ?? [];
  if (options.volumes?.length) out.volumes = [...(out.volumes ?? []), ...options.volumes];
  return out;
}

/**
 * The one-off container's create request. `firstContainer` gives the id of the first container of a service
 * it names by `service:` (known once its dependencies are made).
 */
export function oneOffSpec(
  options: RunOptions,
  name: OneOffName,
  context: SpecContext,
  firstContainer: (service: string) => string | undefined,
) {
  const { project } = context;
  const services = servicesOf(project);
  const base = services[options.service] ?? {};
  const service = withDefaultPlatform(
    resolveServiceReferences(
      oneOffService(withoutDisabledDependencies(base, services), options, project.environment),
      options.service,
      firstContainer,
    ),
    project.environment,
  );
  const spec = desiredSpec(
    {
      name: options.service,
      service,
      configHash: serviceConfigHash(service),
      scale: 1,
      image: "",
    },
    1,
    // Attached to the networks by name (not an external network's id), without the --env-file label.
    { ...context, networks: resourceNames(project.model).networks, envFileFlag: [] },
    { name: name.name, oneOff: { useAliases: options.useAliases === true } },
  );
  spec.create.Labels = { ...spec.create.Labels, [label.slug]: name.slug };
  if (options.interactive) {
    spec.create.AttachStdin = true;
    spec.create.OpenStdin = true;
    spec.create.StdinOnce = true;
  }
  if (options.remove) spec.create.HostConfig = { ...spec.create.HostConfig, AutoRemove: true };
  return spec;
}
