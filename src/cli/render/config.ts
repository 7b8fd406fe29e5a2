// `config` output in the reference's shapes (observed on 2.26): YAML in the order of compose-go's Project
// (name, services, networks, volumes, secrets, configs), services and map-like fields sorted by key; JSON
// with `command` and `entrypoint` always present (null when unset). After interpolation every `$` is
// printed doubled, in keys and values, so the output can be fed back as a compose file.
import { isMapping, type Mapping } from "../../project/load/document.js";
import { YamlTime } from "../../project/load/timestamps.js";
import { emitYaml } from "./yaml-emit.js";

const topLevelOrder = ["name", "services", "networks", "volumes", "secrets", "configs"];
/** Service fields whose values are maps with user-chosen keys: printed sorted, like Go maps. */
const mapFields = new Set([
  "environment",
  "labels",
  "annotations",
  "sysctls",
  "depends_on",
  "networks",
  "ulimits",
]);

function sortedKeys(m: Mapping): Mapping {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  );
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("$", () => "$$");
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replaceAll("$", () => "$$"), escapeDollars(v)]),
    );
  }
  return value;
}

function orderService(service: Mapping, json: boolean): Mapping {
  const out: Mapping = json ? { command: null, entrypoint: null } : {};
  for (const key of Object.keys(service).sort()) {
    const value = service[key];
    // YAML leaves out a command or entrypoint that a later file cleared (omitempty there).
    if (!json && value === null && (key === "command" || key === "entrypoint")) continue;
    out[key] = mapFields.has(key) && isMapping(value) ? sortedKeys(value) : value;
  }
  if (json && isMapping(out.develop)) out.develop = withWatchExec(out.develop);
  if (json && isMapping(out.blkio_config)) out.blkio_config = goFieldNames(out.blkio_config);
  if (!json) Object.assign(out, yamlZeroValues(out));
  return out;
}

/**
 * blkio_config's WeightDevice and ThrottleDevice have yaml tags but no json tags: JSON writes their Go
 * field names (Path, Weight, Rate), YAML the file's.
 */
function goFieldNames(blkio: Mapping): Mapping {
  const capitalised = (entry: unknown) =>
    isMapping(entry)
      ? Object.fromEntries(Object.entries(entry).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]))
      : entry;
  return Object.fromEntries(
    Object.entries(blkio).map(([k, v]) => [k, Array.isArray(v) ? v.map(capitalised) : v]),
  );
}

/**
 * Where Go's YAML and JSON encodings of the model differ on zero values (observed on 2.26): YAML omits
 * deploy's empty `resources` and `placement`, and prints a zero ulimit as `soft: 0, hard: 0` where JSON
 * prints `{}`.
 */
function yamlZeroValues(service: Mapping): Mapping {
  const out: Mapping = {};
  if (isMapping(service.deploy)) {
    const deploy = { ...service.deploy };
    for (const key of ["resources", "placement"]) {
      const v = deploy[key];
      if (isMapping(v) && Object.keys(v).length === 0) delete deploy[key];
    }
    out.deploy = deploy;
  }
  if (isMapping(service.ulimits)) {
    out.ulimits = Object.fromEntries(
      Object.entries(service.ulimits).map(([k, v]) => [
        k,
        isMapping(v) && Object.keys(v).length === 0 ? { soft: 0, hard: 0 } : v,
      ]),
    );
  }
  return out;
}

/** Go's JSON encoding prints each watch rule's zero `exec` struct (its YAML encoding omits it). */
function withWatchExec(develop: Mapping): Mapping {
  if (!Array.isArray(develop.watch)) return develop;
  const watch = develop.watch.map((rule) =>
    isMapping(rule) && !("exec" in rule) ? { ...rule, exec: { command: null } } : rule,
  );
  return { ...develop, watch };
}

function orderProject(project: Mapping, json: boolean): Mapping {
  const out: Mapping = {};
  const keys = [
    ...topLevelOrder.filter((k) => k in project),
    ...Object.keys(project).filter((k) => !topLevelOrder.includes(k)),
  ];
  for (const key of keys) {
    const value = project[key];
    if (key === "services" && isMapping(value)) {
      out[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((name) => [
            name,
            isMapping(value[name]) ? orderService(value[name] as Mapping, json) : value[name],
          ]),
      );
    } else if (isMapping(value) && key !== "name") {
      out[key] = sortedKeys(json ? value : dropEmptyIpam(value));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Go's YAML encoder leaves out a network's empty `ipam` struct; its JSON encoder keeps it. */
function dropEmptyIpam(resources: Mapping): Mapping {
  return Object.fromEntries(
    Object.entries(resources).map(([name, r]) => {
      if (!isMapping(r) || !isMapping(r.ipam) || Object.keys(r.ipam).length > 0) return [name, r];
      const { ipam: _empty, ...rest } = r;
      return [name, rest];
    }),
  );
}

/** Extension fields (`x-*`) below the top level, which Go's JSON encoding of the model leaves out. */
function dropNestedExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNestedExtensions);
  if (!isMapping(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith("x-"))
      .map(([k, v]) => [k, dropNestedExtensions(v)]),
  );
}

function withoutExtensions(project: Mapping, json: boolean): Mapping {
  const out: Mapping = {};
  for (const [key, value] of Object.entries(project)) {
    // JSON drops them everywhere below the top; YAML only from top-level volumes (observed on 2.26).
    if (json || key === "volumes") out[key] = key.startsWith("x-") ? value : dropNestedExtensions(value);
    else out[key] = value;
  }
  return out;
}

export interface ConfigRenderOptions {
  format: "yaml" | "json";
  /** False with --no-interpolate: the document is printed as written. */
  interpolated: boolean;
}

/** Keys in byte order at every level, as Go prints a map. */
function sortedDeep(value: unknown): unknown {
  // An empty list may be Go's nil slice (null in JSON), and a time prints itself: both are kept as they are.
  if (Array.isArray(value)) return value.length === 0 ? value : value.map(sortedDeep);
  if (!isMapping(value) || value instanceof YamlTime) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortedDeep(value[k])]));
}

/** Indented JSON with Go's number forms where JavaScript's differ: -0 stays -0. */
function goJson(value: unknown): string {
  const negativeZero = "\u0000-0\u0000";
  const text = JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? negativeZero : v), 2);
  return text.replaceAll(JSON.stringify(negativeZero), "-0");
}

/** Go's encoding/json escapes these inside strings. */
function goJsonEscapes(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderConfig(project: Mapping, options: ConfigRenderOptions): string {
  const json = options.format === "json";
  if (!options.interpolated) {
    // The reference's map-level model (config --no-interpolate): Go's map order, nothing added or dropped.
    const model = sortedDeep(project);
    return json ? goJsonEscapes(goJson(model)) : emitYaml(model);
  }
  const value = escapeDollars(orderProject(withoutExtensions(project, json), json));
  // Quoted wherever YAML 1.1 (Go's reader) or 1.2 would read a string as something else ("yes", "on" …).
  return json ? JSON.stringify(value, null, 2) : emitYaml(value);
}
