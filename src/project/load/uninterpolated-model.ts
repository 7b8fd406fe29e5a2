// The project model as the reference prints it with `config --no-interpolate`: compose-go's map-level model
// (LoadModel), not the typed project the other commands use. Pure: files come in through `read`.
//
// What the reference does there (compose-go 2.4.8, observed on 2.26.1), in order:
//   per document of each file: `!reset` nodes dropped, `extends` laid in, the paths this document resets or
//   overrides removed from what was merged so far, `include` imported, the document merged over the rest
//   (mergeModel: lists appended, maps merged by key, some fields turned into "k=v" lists), repeated entries
//   dropped (uniqueEntries), a few short syntaxes made long (canonicalModel: ports, volumes, depends_on …),
//   empty lists made null and empty `dns` entries dropped;
//   then defaults (build context, secret targets, port protocol and mode, device count), relative paths made
//   absolute, and (unless --no-normalize) the project name, the default network, implicit dependencies,
//   build defaults and resource names.
// Nothing is interpolated, and the environment the reference resolves `environment: [KEY]` and null build
// args against is empty here (only an included project's env files fill it): `[KEY]` stays as written.

import { posix } from "node:path";
import { scopedName } from "../labels.js";
import { parsePortSpec, parseVolumeSpec } from "./canonical.js";
import type { Diagnostic } from "./diagnostics.js";
import { isMapping, keyValuesToMapping, type Mapping, PathSet, PathTable } from "./document.js";
import { applyIncludes, type IncludePlan } from "./include.js";
import type { Path, TaggedDocument } from "./merge.js";
import { goTimeRfc3339, goTimeString, unmarkTimestamp, YamlTime } from "./timestamps.js";

export interface ModelInput {
  /** The project's files (absolute), in order. */
  files: readonly string[];
  workingDir: string;
  projectName: string;
  home: string;
  /** False with --no-normalize. */
  normalize: boolean;
  /** False with --no-path-resolution. */
  resolvePaths: boolean;
  /** A file's documents as parsed, uninterpolated (undefined: it cannot be read). */
  read: (file: string) => readonly TaggedDocument[] | undefined;
  isFile: (file: string) => boolean;
  /** The variables of an included project's env files. */
  readEnvFiles: (files: readonly string[]) => Record<string, string>;
}

type Env = Readonly<Record<string, string>>;

interface Loading {
  input: ModelInput;
  /** What fails the load (the reference stops at the first). */
  problems: Diagnostic[];
  /** Main files of the projects being loaded (include chain). */
  stack: string[];
}

export function loadModel(input: ModelInput): { model: Mapping; problems: Diagnostic[] } {
  const loading: Loading = { input, problems: [], stack: input.files.slice(0, 1) };
  const base = input.resolvePaths ? input.workingDir : undefined;
  let model = loadFiles(loading, input.files, input.workingDir, {}, base);
  if (input.normalize) model = normalizeModel({ ...model, name: input.projectName }, {});
  return { model: settleTimes(model) as Mapping, problems: loading.problems };
}

/**
 * compose-go's loadYamlModel: the files in order, defaults, paths (against `base`, unless undefined),
 * environment. `workingDir` is the project's directory (absolute), where its includes are found.
 */
function loadFiles(
  loading: Loading,
  files: readonly string[],
  workingDir: string,
  env: Env,
  base: string | undefined,
) {
  let dict: Mapping = {};
  for (const file of files) {
    for (const document of loading.input.read(file) ?? []) {
      dict = mergeDocument(loading, dict, document, file, workingDir, env);
    }
  }
  dict = withDefaults(dict) as Mapping;
  if (base !== undefined) resolveModelPaths(dict, base, loading.input.home);
  resolveModelEnvironment(dict, env);
  return dict;
}

function mergeDocument(
  loading: Loading,
  dict: Mapping,
  document: TaggedDocument,
  file: string,
  workingDir: string,
  env: Env,
): Mapping {
  const resets = document.resets ?? [];
  const cleared = [...resets, ...(document.overrides ?? [])];
  const raw = withoutPaths(structuredClone(document.value), resets);
  if (!isMapping(raw)) return dict;
  let cfg: Mapping = raw;
  if (isMapping(cfg.services)) applyExtends(loading, cfg.services, file, cleared, workingDir);
  deletePaths(dict, cleared);
  if ("include" in cfg) {
    const included = applyIncludes({
      document: { value: cfg },
      file,
      workingDir,
      stack: loading.stack,
      isFile: loading.input.isFile,
      load: (plan, stack) => {
        const model = loadIncluded({ ...loading, stack }, plan, env, workingDir);
        return { model, written: model };
      },
    });
    if (isMapping(included.document.value)) cfg = included.document.value;
  }
  let merged = mergeModel(dict, cfg, []) as Mapping;
  merged = uniqueEntries(merged, [], loading.problems) as Mapping;
  delete merged.version;
  merged = canonicalModel(merged, []) as Mapping;
  merged = omitEmpty(merged, []) as Mapping;
  return uniqueEntries(merged, [], loading.problems) as Mapping;
}

/**
 * An included project. Its paths are resolved whatever --no-path-resolution says, against its directory
 * relative to the including project's: the including project makes them absolute, or leaves them relative
 * to itself (compose-go's ApplyInclude and its resource loader's Dir).
 */
function loadIncluded(loading: Loading, plan: IncludePlan, parent: Env, parentDir: string): Mapping {
  const env = { ...loading.input.readEnvFiles(plan.envFiles), ...parent };
  const base = posix.relative(parentDir, plan.projectDir) || ".";
  return loadFiles(loading, plan.files, plan.projectDir, env, base);
}

// ---------------------------------------------------------------------------------------------------------
// paths

const table = <T>(entries: Record<string, T>): PathTable<T> => new PathTable(Object.entries(entries));

/** The value with the nodes at `paths` removed (how the reference reads `!reset` nodes: as absent). */
function withoutPaths(value: unknown, paths: readonly Path[]): unknown {
  for (const path of [...paths].sort((a, b) => b.length - a.length || compareLast(b, a))) {
    const parent = path.slice(0, -1).reduce<unknown>((v, s) => (v as Mapping | undefined)?.[s], value);
    const last = path[path.length - 1];
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else if (isMapping(parent) && last !== undefined) delete parent[String(last)];
  }
  return value;
}

function compareLast(a: Path, b: Path): number {
  const x = a[a.length - 1];
  const y = b[b.length - 1];
  return typeof x === "number" && typeof y === "number" ? x - y : 0;
}

/** Removes mapping keys at `paths` from what was merged so far (list entries are left, as the reference does). */
function deletePaths(value: Mapping, paths: readonly Path[]): void {
  for (const path of paths) {
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((v, s) => (isMapping(v) ? v[String(s)] : undefined), value);
    const last = path[path.length - 1];
    if (isMapping(parent) && last !== undefined) delete parent[String(last)];
  }
}

// ---------------------------------------------------------------------------------------------------------
// extends

/**
 * `dir` is the directory of the project the file belongs to: `extends.file` is found from there, and the paths
 * of an extended file are rebased relative to it (compose-go's resource loader), resolved or not later.
 */
function applyExtends(
  loading: Loading,
  services: Mapping,
  file: string,
  cleared: readonly Path[],
  dir: string,
): void {
  for (const name of Object.keys(services)) {
    extendService(loading, name, services, { file, cleared, dir, seen: new Set() });
  }
}

interface ExtendsScope {
  file: string;
  /** Paths the extending document resets or overrides. */
  cleared: readonly Path[];
  dir: string;
  seen: Set<string>;
}

function extendService(loading: Loading, name: string, services: Mapping, scope: ExtendsScope): unknown {
  const { file, cleared, dir, seen } = scope;
  const service = services[name];
  if (!isMapping(service) || service.extends === undefined) return service;
  const key = `${file}\u0000${name}`;
  if (seen.has(key)) return service;
  seen.add(key);
  const extendsValue = service.extends;
  const ref = isMapping(extendsValue) ? String(extendsValue.service) : String(extendsValue);
  const other =
    isMapping(extendsValue) && typeof extendsValue.file === "string" ? extendsValue.file : undefined;
  let baseServices = services;
  let baseFile = file;
  if (other !== undefined) {
    baseFile = posix.isAbsolute(other) ? other : goJoin(dir, other);
    const loaded = extendedFile(loading, baseFile, dir);
    if (!loaded) return service;
    baseServices = loaded;
  } else if (!(ref in services)) return service;
  const base = extendService(loading, ref, baseServices, { file: baseFile, cleared: [], dir, seen });
  if (!isMapping(base)) return service;
  const source = structuredClone(base);
  const mine = cleared.filter((p) => p[0] === "services" && p[1] === name).map((p) => p.slice(2));
  deletePaths(source, mine);
  const merged = mergeModel(source, service, ["services", "x"]) as Mapping;
  delete merged.extends;
  services[name] = merged;
  return merged;
}

/** The services of a file another file extends: merged and made canonical alone, its paths resolved. */
function extendedFile(loading: Loading, file: string, dir: string): Mapping | undefined {
  let dict: Mapping = {};
  for (const document of loading.input.read(file) ?? []) {
    const raw = withoutPaths(structuredClone(document.value), document.resets ?? []);
    if (!isMapping(raw)) continue;
    let merged = uniqueEntries(mergeModel(dict, raw, []), [], loading.problems) as Mapping;
    delete merged.version;
    merged = omitEmpty(canonicalModel(merged, []), []) as Mapping;
    dict = uniqueEntries(merged, [], loading.problems) as Mapping;
  }
  resolveModelPaths(dict, posix.relative(dir, posix.dirname(file)) || ".", loading.input.home);
  return isMapping(dict.services) ? dict.services : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// merge (compose-go override.Merge)

type Merger = (base: unknown, over: unknown, path: string[]) => unknown;

const mergers = table<Merger>({
  "networks.*.ipam.config": mergeIpamConfig,
  "networks.*.labels": toSequences,
  "volumes.*.labels": toSequences,
  "services.*.annotations": toSequences,
  "services.*.build": (b, o, p) => mergeMappings(buildMapping(b), buildMapping(o), p),
  "services.*.build.args": toSequences,
  "services.*.build.additional_contexts": toSequences,
  "services.*.build.extra_hosts": mergeExtraHosts,
  "services.*.build.labels": toSequences,
  "services.*.command": (_b, o) => o,
  "services.*.depends_on": (b, o, p) => mergeMappings(toMapping(b, DEPENDENCY), toMapping(o, DEPENDENCY), p),
  "services.*.deploy.labels": toSequences,
  "services.*.dns": toSequences,
  "services.*.dns_opt": toSequences,
  "services.*.dns_search": toSequences,
  "services.*.entrypoint": (_b, o) => o,
  "services.*.env_file": toSequences,
  "services.*.label_file": toSequences,
  "services.*.environment": toSequences,
  "services.*.extra_hosts": mergeExtraHosts,
  "services.*.healthcheck.test": (_b, o) => o,
  "services.*.labels": toSequences,
  "services.*.logging": mergeLogging,
  "services.*.networks": (b, o, p) => mergeMappings(toMapping(b, null), toMapping(o, null), p),
  "services.*.sysctls": toSequences,
  "services.*.tmpfs": toSequences,
  "services.*.ulimits.*": (_b, o) => o,
});

const DEPENDENCY = { condition: "service_started", required: true };

export function mergeModel(base: unknown, over: unknown, path: string[]): unknown {
  const special = mergers.get(path);
  if (special) return special(base, over, path);
  if (over === null || over === undefined) return base;
  if (isMapping(base)) return isMapping(over) ? mergeMappings(base, over, path) : over;
  if (Array.isArray(base)) return Array.isArray(over) ? [...base, ...over] : over;
  return over;
}

function mergeMappings(base: Mapping, over: Mapping, path: string[]): Mapping {
  const out: Mapping = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = !(key in out) || key.startsWith("x-") ? value : mergeModel(out[key], value, [...path, key]);
  }
  return out;
}

function buildMapping(value: unknown): Mapping {
  return typeof value === "string" ? { context: value } : isMapping(value) ? value : {};
}

function toMapping(value: unknown, entry: Mapping | null): Mapping {
  if (isMapping(value)) return value;
  if (!Array.isArray(value)) return {};
  return Object.fromEntries(value.map((k) => [String(k), entry === null ? null : { ...entry }]));
}

/** A map or list as a list of "k=v" (a map's entries sorted), as the reference merges labels and the like. */
function sequence(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [value];
  if (!isMapping(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) out.push(k);
    else if (Array.isArray(v)) for (const each of v) out.push(`${k}=${goString(each)}`);
    else out.push(`${k}=${goString(v)}`);
  }
  return out.sort(byteOrder);
}

function toSequences(base: unknown, over: unknown): unknown {
  return [...sequence(base), ...sequence(over)];
}

function mergeExtraHosts(base: unknown, over: unknown): unknown {
  const earlier = sequence(base);
  return [...earlier, ...sequence(over).filter((v) => !earlier.includes(v))];
}

function mergeLogging(base: unknown, over: unknown, path: string[]): unknown {
  if (!isMapping(base) || !isMapping(over)) return over ?? base;
  const sameDriver = !("driver" in over) || !("driver" in base) || over.driver === base.driver;
  return sameDriver ? mergeMappings(base, over, path) : over;
}

function mergeIpamConfig(base: unknown, over: unknown, path: string[]): unknown {
  const out: Mapping[] = [];
  const bySubnet = (subnet: unknown) => out.findIndex((c) => c.subnet === subnet);
  for (const original of Array.isArray(base) ? base : []) {
    const right = toMapping(original, null);
    for (const override of Array.isArray(over) ? over : []) {
      const left = toMapping(override, null);
      if (left.subnet !== right.subnet && bySubnet(left.subnet) < 0) {
        out.push(left);
        continue;
      }
      const merged = mergeMappings(right, left, path);
      const at = bySubnet(merged.subnet);
      if (at >= 0) out[at] = merged;
      else out.push(merged);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// unicity (compose-go override.EnforceUnicity): a later entry with the key of an earlier one takes its place

type Indexer = (entry: unknown) => string | { error: string };

const keyValue: Indexer = (entry) => goString(entry).split("=")[0] ?? "";
const byTarget: Indexer = (entry) => {
  if (isMapping(entry)) return goString(entry.target);
  if (typeof entry !== "string") return "";
  const parsed = parseVolumeSpec(entry);
  return "volume" in parsed ? goString(parsed.volume.target) : parsed;
};
const mount =
  (dir: string): Indexer =>
  (entry) => {
    if (typeof entry === "string") return `${dir}/${entry}`;
    if (isMapping(entry))
      return entry.target !== undefined ? goString(entry.target) : `${dir}/${goString(entry.source)}`;
    return "";
  };

const indexers = table<Indexer>({
  "networks.*.labels": keyValue,
  "networks.*.ipam.options": keyValue,
  "services.*.annotations": keyValue,
  "services.*.build.args": keyValue,
  "services.*.build.additional_contexts": keyValue,
  "services.*.build.platform": keyValue,
  "services.*.build.tags": keyValue,
  "services.*.build.labels": keyValue,
  "services.*.cap_add": keyValue,
  "services.*.cap_drop": keyValue,
  "services.*.configs": mount(""),
  "services.*.deploy.labels": keyValue,
  "services.*.dns": keyValue,
  "services.*.dns_opt": keyValue,
  "services.*.dns_search": keyValue,
  "services.*.environment": keyValue,
  "services.*.env_file": (e) => (isMapping(e) ? goString(e.path) : goString(e)),
  "services.*.expose": goString,
  "services.*.labels": keyValue,
  "services.*.links": keyValue,
  "services.*.networks.*.aliases": keyValue,
  "services.*.networks.*.link_local_ips": keyValue,
  "services.*.ports": (e) => {
    if (!isMapping(e)) return goString(e);
    const host = e.host_ip ?? "0.0.0.0";
    return `${goString(host)}:${goString(e.published ?? "%!s(<nil>)")}:${goString(e.target)}/${goString(e.protocol ?? "tcp")}`;
  },
  "services.*.profiles": keyValue,
  "services.*.secrets": mount("/run/secrets"),
  "services.*.sysctls": keyValue,
  "services.*.tmpfs": keyValue,
  "services.*.volumes": byTarget,
  "services.*.devices": (e) => {
    if (isMapping(e)) return goString(e.target);
    const parts = goString(e).split(":");
    return (parts.length === 1 ? parts[0] : parts[1]) ?? "";
  },
});

function uniqueEntries(value: unknown, path: string[], problems: Diagnostic[]): unknown {
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = uniqueEntries(v, [...path, k], problems);
    return value;
  }
  if (!Array.isArray(value)) return value;
  const indexer = indexers.get(path);
  if (!indexer) return value;
  const out: unknown[] = [];
  const at = new Map<string, number>();
  value.forEach((entry, i) => {
    let key = indexer(entry);
    if (typeof key !== "string") {
      // The reference keys volumes by parsing them, so a short volume that does not parse fails the load.
      // (Once: the unicity step runs twice per document.)
      const message = key.error;
      const where = [...path, i];
      if (!problems.some((p) => p.message === message && p.path.join("\u0000") === where.join("\u0000")))
        problems.push({ path: where, message });
      key = goString(entry);
    }
    const index = at.get(key);
    if (index === undefined) {
      at.set(key, out.length);
      out.push(entry);
    } else out[index] = entry;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// canonical (compose-go transform.Canonical, parse errors ignored: a value that does not parse stays)

type Transform = (value: unknown, path: string[]) => unknown;

const transforms = table<Transform>({
  "services.*": (v, p) => (isMapping(v) ? canonicalChildren(v, p) : v),
  "services.*.build.secrets.*": fileMount,
  "services.*.build.additional_contexts": keyValueMapping,
  "services.*.depends_on": dependsOn,
  "services.*.env_file": envFile,
  "services.*.label_file": stringOrList,
  "services.*.extends": (v, p) =>
    typeof v === "string" ? { service: v } : isMapping(v) ? canonicalChildren(v, p) : v,
  "services.*.gpus": (v, p) =>
    typeof v === "string" ? [{ count: "all" }] : Array.isArray(v) ? canonicalChildren(v, p) : v,
  "services.*.networks": (v) => (Array.isArray(v) ? Object.fromEntries(v.map((n) => [String(n), null])) : v),
  "services.*.volumes.*": volumeMount,
  "services.*.dns": stringOrList,
  "services.*.devices.*": deviceMapping,
  "services.*.secrets.*": fileMount,
  "services.*.configs.*": fileMount,
  "services.*.ports": ports,
  "services.*.build": (v, p) =>
    typeof v === "string" ? { context: v } : isMapping(v) ? canonicalChildren(v, p) : v,
  "services.*.build.ssh": ssh,
  "services.*.ulimits.*": (v) => v,
  "services.*.build.ulimits.*": (v) => v,
  "volumes.*": maybeExternal,
  "networks.*": maybeExternal,
  "secrets.*": maybeExternal,
  "configs.*": maybeExternal,
  "include.*": (v) => (typeof v === "string" ? { path: v } : v),
});

function canonicalModel(value: unknown, path: string[]): unknown {
  const transform = transforms.get(path);
  if (transform) return transform(value, path);
  return canonicalChildren(value, path);
}

function canonicalChildren(value: unknown, path: string[]): unknown {
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = canonicalModel(v, [...path, k]);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = canonicalModel(value[i], [...path, "[]"]);
  }
  return value;
}

function stringOrList(value: unknown): unknown {
  return typeof value === "string" ? [value] : value;
}

function fileMount(value: unknown): unknown {
  return typeof value === "string" ? { source: value } : value;
}

function keyValueMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: Mapping = {};
  for (const entry of value) {
    const text = goString(entry);
    const at = text.indexOf("=");
    if (at < 0) return value;
    out[text.slice(0, at)] = text.slice(at + 1);
  }
  return out;
}

function dependsOn(value: unknown): unknown {
  if (Array.isArray(value)) return Object.fromEntries(value.map((k) => [String(k), { ...DEPENDENCY }]));
  if (!isMapping(value)) return value;
  for (const entry of Object.values(value)) {
    if (!isMapping(entry)) continue;
    entry.condition ??= DEPENDENCY.condition;
    entry.required ??= DEPENDENCY.required;
  }
  return value;
}

function envFile(value: unknown): unknown {
  const one = (entry: unknown): unknown => {
    if (typeof entry === "string") return { path: entry, required: true };
    if (isMapping(entry)) {
      if (!("required" in entry)) entry.required = true;
      return entry;
    }
    return null;
  };
  if (typeof value === "string") return [one(value)];
  return Array.isArray(value) ? value.map(one) : value;
}

function volumeMount(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const parsed = parseVolumeSpec(value);
  if (!("volume" in parsed)) return value;
  const volume = { ...parsed.volume };
  if (typeof volume.target === "string" && volume.target !== "")
    volume.target = posix.normalize(volume.target).replace(/(.)\/$/, "$1");
  return volume;
}

function deviceMapping(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const parts = value.split(":");
  if (parts.length > 3) return { source: "", target: "", permissions: "rwm" };
  const [source = "", target = "", permissions = "rwm"] = parts;
  return { source, target: target === "" ? source : target, permissions };
}

function ports(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const entry of value) {
    if (isMapping(entry)) out.push(entry);
    else if (typeof entry === "number" || typeof entry === "string") {
      const parsed = parsePortSpec(String(entry));
      if (!("ports" in parsed)) return value;
      out.push(...parsed.ports);
    } else return value;
  }
  return out;
}

function ssh(value: unknown): unknown {
  return Array.isArray(value) ? keyValuesToMapping(value, null, goString) : value;
}

function maybeExternal(value: unknown, path: string[]): unknown {
  if (!isMapping(value)) return value;
  canonicalChildren(value, path);
  if (isMapping(value.external)) {
    const named = "name" in value;
    const external = value.external;
    value.external = true;
    if ("name" in external && !named) value.name = external.name;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// empty values: empty lists become null (Go's nil slice); empty `dns` entries go

const DNS = new PathSet(["services.*.dns"]);

function omitEmpty(value: unknown, path: string[]): unknown {
  const dns = DNS.has(path);
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (dns && (v === null || v === "")) delete value[k];
      else value[k] = omitEmpty(v, [...path, k]);
    }
    return value;
  }
  if (!Array.isArray(value)) return value;
  const kept = value
    .filter((v) => !(dns && (v === null || v === "")))
    .map((v) => omitEmpty(v, [...path, "[]"]));
  // Go's nil slice; the unicity step that follows makes the lists it keys non-nil again.
  return kept.length === 0 && !indexers.get(path) ? nilList() : kept;
}

// ---------------------------------------------------------------------------------------------------------
// defaults (compose-go transform.SetDefaultValues)

const defaults: PathTable<(value: unknown) => unknown> = table({
  "services.*.build": (v: unknown) => {
    if (isMapping(v) && !("context" in v)) v.context = ".";
    return v;
  },
  "services.*.secrets.*": (v: unknown) => {
    if (isMapping(v) && !("target" in v)) v.target = `/run/secrets/${goString(v.source)}`;
    return v;
  },
  "services.*.ports.*": (v: unknown) => {
    if (isMapping(v)) {
      v.protocol ??= "tcp";
      v.mode ??= "ingress";
    }
    return v;
  },
  "services.*.deploy.resources.reservations.devices.*": deviceRequest,
  "services.*.gpus.*": deviceRequest,
});

function deviceRequest(value: unknown): unknown {
  if (isMapping(value) && !("count" in value) && !("device_ids" in value)) value.count = "all";
  return value;
}

function withDefaults(value: unknown, path: string[] = []): unknown {
  const apply = defaults.get(path);
  if (apply) return apply(value);
  if (isMapping(value)) for (const [k, v] of Object.entries(value)) value[k] = withDefaults(v, [...path, k]);
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) value[i] = withDefaults(value[i], [...path, "[]"]);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// relative paths (compose-go paths.ResolveRelativePaths)

/** Go's filepath.Join: joined and cleaned, no trailing slash. */
function goJoin(...parts: string[]): string {
  const joined = posix.normalize(posix.join(...parts));
  return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
}

function resolveModelPaths(dict: Mapping, workingDir: string, home: string): void {
  const expand = (p: string) => (p.startsWith("~") ? goJoin(home, p.slice(1)) : p);
  const abs = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(abs);
    if (typeof v !== "string") return v;
    const p = expand(v);
    return p === "" || posix.isAbsolute(p) ? p : goJoin(workingDir, p);
  };
  const unixPath = (v: unknown): unknown => {
    if (typeof v !== "string") return v;
    const p = expand(v);
    return posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\")
      ? p
      : goJoin(workingDir, p);
  };
  const context = (v: unknown): unknown => {
    if (typeof v !== "string") return v;
    if (v.includes("://") || v.startsWith("service:")) return v;
    if (["https://", "http://", "git://", "ssh://", "github.com/", "git@"].some((p) => v.startsWith(p)))
      return v;
    return abs(v);
  };
  const resolvers = table<(v: unknown) => unknown>({
    "services.*.build.context": context,
    "services.*.build.additional_contexts.*": context,
    "services.*.build.ssh.*": unixPath,
    "services.*.env_file.*.path": abs,
    "services.*.label_file.*": abs,
    "services.*.extends.file": abs,
    "services.*.develop.watch.*.path": abs,
    "services.*.volumes.*": (v) => {
      if (!isMapping(v) || v.type !== "bind") return v;
      return { ...v, source: unixPath(v.source) };
    },
    "configs.*.file": unixPath,
    "secrets.*.file": unixPath,
    "include.path": abs,
    "include.project_directory": abs,
    "include.env_file": abs,
    "volumes.*": (v) => {
      if (!isMapping(v) || v.driver !== "local" || !isMapping(v.driver_opts)) return v;
      const opts = v.driver_opts;
      if (opts.o === "bind" && "device" in opts) opts.device = unixPath(opts.device);
      return v;
    },
  });
  const walk = (value: unknown, path: string[]): unknown => {
    const resolve = resolvers.get(path);
    if (resolve) return resolve(value);
    if (isMapping(value)) for (const [k, v] of Object.entries(value)) value[k] = walk(v, [...path, k]);
    else if (Array.isArray(value))
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], [...path, "[]"]);
    return value;
  };
  walk(dict, []);
}

// ---------------------------------------------------------------------------------------------------------
// environment and normalization

function resolveModelEnvironment(dict: Mapping, env: Env): void {
  for (const service of Object.values(isMapping(dict.services) ? dict.services : {})) {
    if (!isMapping(service) || !Array.isArray(service.environment)) continue;
    service.environment = service.environment
      .filter((e) => typeof e === "string")
      .map((e) => (e in env ? `${e}=${env[e]}` : e));
  }
  for (const [section, field] of [
    ["secrets", "x-#value"],
    ["configs", "content"],
  ] as const) {
    for (const entry of Object.values(isMapping(dict[section]) ? dict[section] : {})) {
      if (isMapping(entry) && typeof entry.environment === "string" && entry.environment in env)
        entry[field] = env[entry.environment];
    }
  }
}

/** Resolves `KEY` entries (list) and null values (map) from `env`; unresolved ones stay only with `keep`. */
function resolveEntries(value: unknown, env: Env, keep: boolean): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const entry of value) {
      if (typeof entry !== "string") continue;
      if (entry.includes("=")) out.push(entry);
      else if (entry in env) out.push(`${entry}=${env[entry]}`);
      else if (keep) out.push(entry);
    }
    return out.length > 0 ? out : nilList();
  }
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) out[k] = v;
    else if (k in env) out[k] = env[k];
    else if (keep) out[k] = null;
  }
  return out;
}

const STARTED = "service_started";

function normalizeModel(dict: Mapping, env: Env): Mapping {
  const services = isMapping(dict.services) ? dict.services : undefined;
  let usesDefault = false;
  for (const service of Object.values(services ?? {})) {
    if (!isMapping(service) || "network_mode" in service) continue;
    const networks = service.networks;
    if (!isMapping(networks) || Object.keys(networks).length === 0) {
      service.networks = { default: null };
      usesDefault = true;
    } else if ("default" in networks) usesDefault = true;
  }
  const networks = isMapping(dict.networks) ? dict.networks : {};
  if (usesDefault && !("default" in networks)) networks.default = null;
  if (Object.keys(networks).length > 0) dict.networks = networks;

  for (const service of Object.values(services ?? {})) {
    if (!isMapping(service)) continue;
    if (service.pull_policy === "if_not_present") service.pull_policy = "missing";
    if (isMapping(service.build)) {
      const build = service.build;
      build.context ??= ".";
      if (build.dockerfile === undefined && build.dockerfile_inline === undefined)
        build.dockerfile = "Dockerfile";
      if ("args" in build) build.args = resolveEntries(build.args, env, false);
    }
    if ("environment" in service) service.environment = resolveEntries(service.environment, env, true);
    const dependsOn: Mapping = isMapping(service.depends_on) ? service.depends_on : {};
    const implied = (name: string, restart: boolean) => {
      if (!(name in dependsOn)) dependsOn[name] = { condition: STARTED, restart, required: true };
    };
    for (const link of Array.isArray(service.links) ? service.links : []) {
      const parts = String(link).split(":");
      implied(parts.length === 2 ? (parts[0] ?? "") : String(link), true);
    }
    for (const field of ["network_mode", "ipc", "pid", "uts", "cgroup"]) {
      const ref = service[field];
      if (typeof ref === "string" && ref.startsWith("service:")) implied(ref.slice("service:".length), true);
    }
    if (Array.isArray(service.volumes)) {
      for (const volume of service.volumes) {
        if (isMapping(volume) && typeof volume.target === "string")
          volume.target = posix.normalize(volume.target).replace(/(.)\/$/, "$1");
      }
    }
    for (const from of Array.isArray(service.volumes_from) ? service.volumes_from : []) {
      const text = String(from);
      if (!text.startsWith("container:")) implied(text.split(":")[0] ?? "", false);
    }
    if (Object.keys(dependsOn).length > 0) service.depends_on = dependsOn;
  }

  for (const section of ["networks", "volumes", "configs", "secrets"]) {
    const resources = dict[section];
    if (!isMapping(resources)) continue;
    for (const [key, value] of Object.entries(resources)) {
      const resource: Mapping = isMapping(value) ? value : {};
      if (resource.name === undefined || resource.name === null) {
        const external = resource.external;
        resource.name =
          external !== undefined && goBool(external) ? key : scopedName(goString(dict.name), key);
      }
      resources[key] = resource;
    }
  }
  return dict;
}

// ---------------------------------------------------------------------------------------------------------
// Go's ways with values

/** Go's nil slice: JSON prints null, YAML (yaml.v3) prints []. */
function nilList(): unknown[] {
  const list: unknown[] = [];
  Object.defineProperty(list, "toJSON", { value: () => null });
  return list;
}

/** A scalar as Go's %v prints it (a YAML timestamp is a time.Time there). */
function goString(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") {
    const text = unmarkTimestamp(value);
    return text === value ? value : goTimeString(text);
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** YAML timestamps (time.Time values in the reference's map) as Go prints them: RFC 3339. */
function settleTimes(value: unknown): unknown {
  if (typeof value === "string") {
    const text = unmarkTimestamp(value);
    return text === value ? value : new YamlTime(goTimeRfc3339(text));
  }
  if (Array.isArray(value)) return value.length === 0 ? value : value.map(settleTimes);
  if (!isMapping(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [unmarkTimestamp(k), settleTimes(v)]));
}

/** strconv.ParseBool of fmt.Sprint(x). */
function goBool(value: unknown): boolean {
  return ["1", "t", "T", "TRUE", "true", "True"].includes(goString(value));
}

function byteOrder(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
