// Project-level normalization, applied to the canonical form (canonical.ts) after files are merged: what
// `docker compose config` adds on top of `config --no-normalize`. Pure: the project name, working
// directory, home directory and environment come in as arguments.

import { posix } from "node:path";
import { scopedName } from "../labels.js";
import { type Canonical, isMapping, type Mapping } from "./canonical.js";

export interface NormalizeContext {
  projectName: string;
  /** Absolute directory relative paths are resolved against (the project directory). */
  workingDir: string;
  /** What `~` expands to. */
  home: string;
  /**
   * Variables for `environment: [KEY]` entries and null build args (the reference looks them up in the
   * environment used for interpolation). Unset: nothing resolves.
   */
  environment?: Readonly<Record<string, string | undefined>>;
  /** False with --no-normalize: only the service-level steps. */
  projectLevel?: boolean;
  /** False with --no-path-resolution: paths are printed as written. */
  resolvePaths?: boolean;
  /** Sections whose entries no service uses are kept (`docker stack` creates every declared secret and config). */
  keepUnused?: readonly ("secrets" | "configs")[];
}

type ServiceStep = (service: Mapping, ctx: NormalizeContext) => Mapping;

/** Host paths of a service made absolute, and its variables: every service, in order, normalized or not. */
const PATH_STEPS: ServiceStep[] = [
  resolveBuildPaths,
  resolveVolumePaths,
  resolveEnvFiles,
  resolveLabelFiles,
  resolveWatchPaths,
  resolveEnvironment,
];

/** What normalization adds to a service (not with --no-normalize, observed on 2.26.1). */
const SERVICE_STEPS: ServiceStep[] = [completeBuild, pullPolicyAlias];

const applySteps = (steps: ServiceStep[], ctx: NormalizeContext) => (service: Mapping) =>
  steps.reduce((s, step) => step(s, ctx), service);

export function normalizeProject(project: Mapping, ctx: NormalizeContext): Canonical<Mapping> {
  const resolved = resolveResourceFiles(
    { ...project, services: mapEntries(project.services, applySteps(PATH_STEPS, ctx)) },
    ctx,
  );
  // --no-normalize (projectLevel false) still resolves paths and prunes, as the reference does, but adds
  // no build defaults, no default network, no implicit dependencies and no resource names.
  if (ctx.projectLevel === false)
    return { value: withoutEmptyNames(pruneUnused(resolved, ctx.keepUnused)), diagnostics: [] };
  const services = mapEntries(resolved.services, applySteps(SERVICE_STEPS, ctx));
  let out: Mapping = { ...resolved, services: addImplicitDependencies(attachDefaultNetwork(services)) };
  out = addDefaultNetwork(out, ctx.projectName);
  out = pruneUnused(out, ctx.keepUnused);
  out = withoutEmptyNames(nameResources(out, ctx));
  return { value: out, diagnostics: [] };
}

/**
 * Only the paths (and `environment: [KEY]` values) of a project, as an included project is resolved before
 * it is added to the including one: no default network, no pruning, no resource names.
 */
export function resolveProjectPaths(project: Mapping, ctx: NormalizeContext): Mapping {
  const out: Mapping = { ...project };
  if (isMapping(project.services)) {
    out.services = mapEntries(project.services, applySteps(PATH_STEPS, ctx));
  }
  return resolveResourceFiles(out, ctx);
}

/** The `file` of top-level secrets and configs, made absolute. */
function resolveResourceFiles(project: Mapping, ctx: NormalizeContext): Mapping {
  const out: Mapping = { ...project };
  for (const section of ["secrets", "configs"]) {
    if (!isMapping(project[section])) continue;
    out[section] = Object.fromEntries(
      Object.entries(project[section]).map(([key, entry]) => [
        key,
        isMapping(entry) && typeof entry.file === "string"
          ? { ...entry, file: resolvePath(entry.file, ctx) }
          : entry,
      ]),
    );
  }
  return out;
}

function mapEntries(
  section: unknown,
  each: (entry: Mapping, key: string) => Mapping,
): Record<string, Mapping> {
  if (!isMapping(section)) return {};
  return Object.fromEntries(
    Object.entries(section).map(([key, entry]) => [key, each(isMapping(entry) ? entry : {}, key)]),
  );
}

// ---------------------------------------------------------------------------------------------------------
// paths

/** `~`, `~/x` and (as the reference does) `~x` expand under home. */
export function expandHome(path: string, home: string): string {
  return path.startsWith("~") ? posix.join(home, path.slice(1)) : path;
}

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/;

/** A host path made absolute: `~` expanded, relative paths joined to the working directory and cleaned. */
export function resolvePath(path: string, ctx: NormalizeContext): string {
  if (ctx.resolvePaths === false) return path;
  const expanded = expandHome(path, ctx.home);
  if (expanded.startsWith("/") || WINDOWS_ABSOLUTE.test(expanded)) return expanded;
  // Go's filepath.Join: cleaned, no trailing slash ("./" is the directory itself).
  const joined = posix.join(ctx.workingDir, expanded);
  return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
}

/** Remote build contexts (git URLs and the like) are not paths. */
function isRemoteContext(context: string): boolean {
  return (
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(context) ||
    context.startsWith("git@") ||
    context.startsWith("github.com/")
  );
}

/**
 * build: context defaults to the working directory and is resolved; additional_contexts that are paths are
 * resolved; "docker-image://…" and other URLs are kept.
 */
function resolveBuildPaths(service: Mapping, ctx: NormalizeContext): Mapping {
  if (!isMapping(service.build)) return service;
  const build: Mapping = { ...service.build };
  const context = typeof build.context === "string" ? build.context : ".";
  build.context = isRemoteContext(context) ? context : resolvePath(context, ctx);
  if (isMapping(build.additional_contexts)) {
    build.additional_contexts = Object.fromEntries(
      Object.entries(build.additional_contexts).map(([k, v]) => [
        k,
        typeof v === "string" && !v.includes("://") && !v.startsWith("service:") ? resolvePath(v, ctx) : v,
      ]),
    );
  }
  return { ...service, build: reorderBuild(build) };
}

/**
 * dockerfile defaults to "Dockerfile" unless dockerfile_inline is given (a relative dockerfile stays relative
 * to the context, as printed); null args take their values from the environment.
 */
function completeBuild(service: Mapping, ctx: NormalizeContext): Mapping {
  if (!isMapping(service.build)) return service;
  const build: Mapping = { ...service.build };
  if (build.dockerfile === undefined && build.dockerfile_inline === undefined)
    build.dockerfile = "Dockerfile";
  if (isMapping(build.args)) {
    const args = resolveArgs(build.args, ctx);
    // No arg left (all unset): nothing printed, Go's omitempty.
    if (Object.keys(args).length > 0) build.args = args;
    else delete build.args;
  }
  return { ...service, build: reorderBuild(build) };
}

/** pull_policy if_not_present is an alias the reference prints as "missing". */
function pullPolicyAlias(service: Mapping): Mapping {
  return service.pull_policy === "if_not_present" ? { ...service, pull_policy: "missing" } : service;
}

/** develop.watch rules watch paths on the host: resolved like a build context. */
function resolveWatchPaths(service: Mapping, ctx: NormalizeContext): Mapping {
  const develop = service.develop;
  if (!isMapping(develop) || !Array.isArray(develop.watch)) return service;
  const watch = develop.watch.map((rule) =>
    isMapping(rule) && typeof rule.path === "string" ? { ...rule, path: resolvePath(rule.path, ctx) } : rule,
  );
  return { ...service, develop: { ...develop, watch } };
}

/** The reference prints context and dockerfile first. */
function reorderBuild(build: Mapping): Mapping {
  const { context, dockerfile, ...rest } = build;
  return { context, ...(dockerfile === undefined ? {} : { dockerfile }), ...rest };
}

/** Bind-mount sources (short and long syntax) become absolute. */
function resolveVolumePaths(service: Mapping, ctx: NormalizeContext): Mapping {
  if (!Array.isArray(service.volumes)) return service;
  const volumes = service.volumes.map((volume) => {
    if (!isMapping(volume) || volume.type !== "bind" || typeof volume.source !== "string") return volume;
    return { ...volume, source: resolvePath(volume.source, ctx) };
  });
  return { ...service, volumes };
}

/** label_file: a list of host paths (one file may be written as a string). */
function resolveLabelFiles(service: Mapping, ctx: NormalizeContext): Mapping {
  const files = service.label_file;
  if (typeof files !== "string" && !Array.isArray(files)) return service;
  const list = typeof files === "string" ? [files] : files;
  return { ...service, label_file: list.map((f) => (typeof f === "string" ? resolvePath(f, ctx) : f)) };
}

function resolveEnvFiles(service: Mapping, ctx: NormalizeContext): Mapping {
  if (!Array.isArray(service.env_file)) return service;
  const envFiles = service.env_file.map((entry) =>
    isMapping(entry) && typeof entry.path === "string"
      ? { ...entry, path: resolvePath(entry.path, ctx) }
      : entry,
  );
  return { ...service, env_file: envFiles };
}

// ---------------------------------------------------------------------------------------------------------
// environment

/** `environment: [KEY]` takes KEY's value from the environment when it is set there; otherwise it stays null. */
function resolveEnvironment(service: Mapping, ctx: NormalizeContext): Mapping {
  if (!isMapping(service.environment)) return service;
  const environment = Object.fromEntries(
    Object.entries(service.environment).map(([k, v]) => [k, v === null ? (ctx.environment?.[k] ?? null) : v]),
  );
  return { ...service, environment };
}

/** A null build arg takes its value from the environment; the reference drops it when unset there. */
function resolveArgs(args: Mapping, ctx: NormalizeContext): Mapping {
  const out: Mapping = {};
  for (const [k, v] of Object.entries(args)) {
    const value = v === null ? ctx.environment?.[k] : v;
    if (value !== undefined) out[k] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// networks and dependencies

/** Rule of the reference: a service with no networks and no network_mode joins the `default` network. */
function attachDefaultNetwork(services: Record<string, Mapping>): Record<string, Mapping> {
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => {
      const hasNetworks = isMapping(service.networks) && Object.keys(service.networks).length > 0;
      if (hasNetworks || service.network_mode !== undefined) return [name, service];
      return [name, { ...service, networks: { default: null } }];
    }),
  );
}

function addDefaultNetwork(project: Mapping, projectName: string): Mapping {
  const services = isMapping(project.services) ? Object.values(project.services) : [];
  const used = services.some((s) => isMapping(s) && isMapping(s.networks) && "default" in s.networks);
  const networks = isMapping(project.networks) ? project.networks : {};
  if (!used || "default" in networks) return project;
  return { ...project, networks: { default: { name: `${projectName}_default`, ipam: {} }, ...networks } };
}

const STARTED = { condition: "service_started", required: true };
const STARTED_RESTART = { condition: "service_started", restart: true, required: true };

/**
 * Dependencies a service has without saying so, with the entry the reference prints for each: network_mode
 * service:x and links restart with their dependency (restart: true); volumes_from (not container:…) does not.
 */
export function implicitDependencies(service: Mapping): [string, Mapping][] {
  const deps: [string, Mapping][] = [];
  // Namespaces shared with another service's container: network, ipc, pid, uts, cgroup.
  for (const field of ["network_mode", "ipc", "pid", "uts", "cgroup"]) {
    const mode = service[field];
    if (typeof mode === "string" && mode.startsWith("service:")) {
      deps.push([mode.slice("service:".length), STARTED_RESTART]);
    }
  }
  for (const link of Array.isArray(service.links) ? service.links : []) {
    deps.push([String(link).split(":")[0] ?? "", STARTED_RESTART]);
  }
  for (const from of Array.isArray(service.volumes_from) ? service.volumes_from : []) {
    const text = String(from);
    if (!text.startsWith("container:")) deps.push([text.split(":")[0] ?? "", STARTED]);
  }
  return deps.filter(([name]) => name !== "");
}

/** Explicit depends_on entries win over implicit ones. */
function addImplicitDependencies(services: Record<string, Mapping>): Record<string, Mapping> {
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => {
      const implicit = implicitDependencies(service);
      if (implicit.length === 0) return [name, service];
      const dependsOn: Mapping = isMapping(service.depends_on) ? { ...service.depends_on } : {};
      for (const [dep, entry] of implicit) dependsOn[dep] ??= { ...entry };
      return [name, { ...service, depends_on: dependsOn }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// top-level resources

/** What the services refer to, per top-level section. */
function usedResources(project: Mapping): Record<string, Set<string>> {
  const used = {
    networks: new Set<string>(),
    volumes: new Set<string>(),
    secrets: new Set<string>(),
    configs: new Set<string>(),
  };
  for (const service of isMapping(project.services) ? Object.values(project.services) : []) {
    if (!isMapping(service)) continue;
    if (isMapping(service.networks)) for (const n of Object.keys(service.networks)) used.networks.add(n);
    for (const v of Array.isArray(service.volumes) ? service.volumes : []) {
      if (isMapping(v) && v.type === "volume" && typeof v.source === "string") used.volumes.add(v.source);
    }
    const buildSecrets =
      isMapping(service.build) && Array.isArray(service.build.secrets) ? service.build.secrets : [];
    for (const ref of [...(Array.isArray(service.secrets) ? service.secrets : []), ...buildSecrets]) {
      used.secrets.add(String(isMapping(ref) ? ref.source : ref));
    }
    for (const ref of Array.isArray(service.configs) ? service.configs : []) {
      used.configs.add(String(isMapping(ref) ? ref.source : ref));
    }
  }
  return used;
}

/** Rule of the reference: `config` prints only the networks, volumes, secrets and configs services use. */
function pruneUnused(project: Mapping, keep: readonly string[] = []): Mapping {
  const used = usedResources(project);
  const out: Mapping = { ...project };
  for (const [section, names] of Object.entries(used)) {
    if (!isMapping(project[section]) || keep.includes(section)) continue;
    const kept = Object.entries(project[section]).filter(([key]) => names.has(key));
    if (kept.length > 0) out[section] = Object.fromEntries(kept);
    else delete out[section];
  }
  return out;
}

/**
 * A resource `name:` written empty (an unset variable) is not defaulted (the reference names a resource only
 * when the key is absent) and prints nothing (omitempty).
 */
function withoutEmptyNames(project: Mapping): Mapping {
  const out: Mapping = { ...project };
  for (const section of ["networks", "volumes", "secrets", "configs"]) {
    if (!isMapping(project[section])) continue;
    out[section] = mapEntries(project[section], (entry) => {
      if (entry.name !== "") return entry;
      const { name: _empty, ...rest } = entry;
      return rest;
    });
  }
  return out;
}

/**
 * Every top-level resource gets its `name`: `<project>_<key>` unless `name:` is set; an external one is named
 * by its key. Secret and config files are resolved like other host paths.
 */
function nameResources(project: Mapping, ctx: NormalizeContext): Mapping {
  const out: Mapping = { ...project };
  for (const section of ["networks", "volumes", "secrets", "configs"]) {
    if (!isMapping(project[section])) continue;
    out[section] = mapEntries(project[section], (entry, key) => {
      const name = entry.name ?? (entry.external === true ? key : scopedName(ctx.projectName, key));
      return { name, ...entry };
    });
  }
  return out;
}
