// Merging compose documents (several `-f` files, override files, and `extends`) the way the reference does.
//
// Interface
//   mergeDocuments(docs, options)         → the merged document (plain data), files in order.
//   mergeTagged(base, override, at, tags) → one value merged onto another at document path `at`; `extends`
//                                           uses it to lay a service over the service it extends.
//   A document comes from the YAML step as a TaggedDocument: its plain value plus the document paths of the
//   nodes tagged `!reset` and `!override` (e.g. ["services", "web", "ports"]).
//
// Data form. Merging works on raw data, except that each field with a rule below is first brought to one
// "merge form" on both sides, because the reference merges after such conversions (a `"8080:80"` port in
// one file and the same port in long form in another are one port):
//   - mapping-or-list fields (environment, labels, build.args …) become mappings ("K=V" → K: "V");
//   - extra_hosts become "host=ip" strings; string-or-list fields become lists;
//   - ports, volumes and devices become long form through the injected `toLongForm` (the parser lives
//     in another module); secrets, configs, env_file, depends_on, service networks and `build: dir` are
//     converted here (trivial shapes).
// The result is in that form; later steps (normalize) must accept it, which they must anyway since users
// may write it. Conversion is idempotent, so merging already-merged data again is safe.
//
// Tags (reference rules): `!reset` removes the key from the result whatever its value, in any file
// (also the first); `!override` replaces the earlier value instead of merging with it. A `null` value
// leaves the earlier value as it is (except inside mapping-or-list fields, where `A: null` is a value).
//
// Known divergence from reference 2.26, on purpose: `!reset` of one key of a mapping-or-list field
// (`environment: {A: !reset}`) is ignored by the reference when the earlier value was written as a list
// or came from a merge of two earlier files (docker/compose#11816); here it always removes the key.
// The reference also fails with "cannot override services.x.build.ssh" when two files set build.ssh;
// here the two are merged by id.

import { isMapping, keyValuesToMapping, type Mapping, PathTable } from "./document.js";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** One parsed compose document and its merge tags, as the YAML step produces it. */
export interface TaggedDocument {
  value: unknown;
  /** Paths of nodes tagged `!reset`. */
  resets?: readonly Path[];
  /** Paths of nodes tagged `!override`. */
  overrides?: readonly Path[];
}

export type LongFormField = "ports" | "volumes" | "devices";

/**
 * Short syntax → long form for one list entry. Must return long-form entries unchanged (as a one-item
 * list); returns several items when one short entry stands for several (a port range "80-81:80-81").
 */
export type ToLongForm = (field: LongFormField, entry: unknown) => unknown[];

export interface MergeOptions {
  /** Without it, short entries stay as written and are keyed by their text (exact duplicates collapse). */
  toLongForm?: ToLongForm;
}

/** The tags of one document, looked up by path. */
export interface TagSet {
  resets: ReadonlySet<string>;
  overrides: ReadonlySet<string>;
}

type Strategy =
  /** Mappings merged key by key, recursively; anything else replaced (the default). */
  | "deep"
  /** The later value replaces the earlier one (extension fields `x-*`, ipam.config, command …). */
  | "replace"
  /** Mapping-or-list of scalars as a mapping; later keys win, also with null values. */
  | "merge-map"
  /** Earlier items, then later items not already there; duplicates within one file go too. */
  | "append-unique"
  /** Earlier items then later items, duplicates kept (the schema check then rejects some). */
  | "append"
  /** List of mappings keyed by `key`: a later entry with the key of an earlier one takes its place. */
  | "merge-by-key"
  /** `logging`: a different driver replaces the whole block, else merged key by key. */
  | "logging";

interface Rule {
  strategy: Strategy;
  /** Brings one side to merge form before merging. */
  shape?: (value: unknown, options: MergeOptions) => unknown;
  /** merge-by-key: the identity of an entry. */
  key?: (entry: unknown) => string;
  /** A later null replaces the earlier value (elsewhere a null changes nothing). */
  nullClears?: boolean;
}

const REMOVED: unique symbol = Symbol("removed");

// ---------------------------------------------------------------------------------------------------
// Shapes: one side of a field to merge form.

/** String-or-list fields (dns: 8.8.8.8, tmpfs: /run). */
function asList(value: unknown): unknown {
  return typeof value === "string" ? [value] : value;
}

/** "K=V" → K: "V"; a bare "K" gets `bare` (null for environment and build args, "" for labels). */
function listToMapping(bare: null | ""): (value: unknown) => unknown {
  return (value) => (Array.isArray(value) ? keyValuesToMapping(value, bare) : value);
}

/**
 * extra_hosts: the reference merges them as strings, so `h:1.1.1.1` and `h=1.1.1.1` both stay; a mapping
 * becomes "host=ip" entries in key order.
 */
function hostsToList(value: unknown): unknown {
  if (!isMapping(value)) return value;
  const out: string[] = [];
  for (const [host, ip] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const one of Array.isArray(ip) ? ip : [ip]) out.push(`${host}=${String(one)}`);
  }
  return out;
}

/** depends_on: [db] → db: {condition: service_started, required: true}, as the reference fills it. */
function dependsOnToMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return Object.fromEntries(value.map((s) => [String(s), { condition: "service_started", required: true }]));
}

/** Service networks: [front] → front: null. */
function namesToMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return Object.fromEntries(value.map((s) => [String(s), null]));
}

function buildToMapping(value: unknown): unknown {
  return typeof value === "string" ? { context: value } : value;
}

function eachEntry(convert: (entry: unknown) => unknown[]): (value: unknown) => unknown {
  return (value) => (Array.isArray(value) ? value.flatMap(convert) : value);
}

function longForm(field: LongFormField): (value: unknown, options: MergeOptions) => unknown {
  return (value, options) => {
    const convert = options.toLongForm;
    if (!convert || !Array.isArray(value)) return value;
    return value.flatMap((entry) => convert(field, entry));
  };
}

const sourceEntry = eachEntry((e) => [typeof e === "string" ? { source: e } : e]);

/** env_file: a later `{path: x}` without `required` counts as required: true (the reference fills it). */
const envFileEntries = eachEntry((e) => {
  if (typeof e === "string") return [{ path: e, required: true }];
  return [isMapping(e) && e.required === undefined ? { ...e, required: true } : e];
});
const envFileEntry = (value: unknown): unknown => envFileEntries(asList(value));

// ---------------------------------------------------------------------------------------------------
// Keys of merge-by-key entries.

function field(entry: unknown, name: string): unknown {
  return isMapping(entry) ? entry[name] : undefined;
}

function textKey(entry: unknown): string {
  return typeof entry === "string" ? entry : JSON.stringify(entry);
}

/** Ports are one port when host_ip, published, target and protocol agree (mode and name do not count). */
function portKey(entry: unknown): string {
  if (!isMapping(entry)) return textKey(entry);
  const { host_ip = "", published = "", target, protocol = "tcp" } = entry;
  return `${String(host_ip)}|${String(published)}|${String(target)}|${String(protocol)}`;
}

function byTarget(entry: unknown): string {
  return isMapping(entry) ? String(entry.target) : textKey(entry);
}

/** A secret without target goes to /run/secrets/<source>; the key is that target. */
function secretKey(entry: unknown): string {
  return String(field(entry, "target") ?? `/run/secrets/${String(field(entry, "source"))}`);
}

/** A config without target goes to /<source>; a config given once with and once without it is one. */
function configKey(entry: unknown): string {
  return String(field(entry, "target") ?? `/${String(field(entry, "source"))}`);
}

function envFileKey(entry: unknown): string {
  return String(field(entry, "path"));
}

// ---------------------------------------------------------------------------------------------------
// The table. Patterns are document paths; `*` matches one segment. Unlisted mappings merge key by key,
// unlisted lists and scalars are replaced; every `x-*` extension field is replaced (reference rule:
// `x-foo: {a: 1}` then `x-foo: {b: 2}` gives `{b: 2}`).

const toMapNull = listToMapping(null);
const toMapEmpty = listToMapping("");

const mergeMap = (shape = toMapEmpty): Rule => ({ strategy: "merge-map", shape });
const appendUnique: Rule = { strategy: "append-unique", shape: asList };
const append: Rule = { strategy: "append", shape: asList };

export const mergeRules: Readonly<Record<string, Rule>> = {
  "services.*.environment": mergeMap(toMapNull),
  "services.*.labels": mergeMap(),
  "services.*.annotations": mergeMap(),
  "services.*.sysctls": mergeMap(),
  "services.*.storage_opt": mergeMap(),
  // One ulimit is replaced whole: `nofile: 10` over `nofile: {soft, hard}` gives 10.
  "services.*.ulimits": mergeMap(),
  "services.*.build": { strategy: "deep", shape: buildToMapping },
  "services.*.build.args": mergeMap(toMapNull),
  "services.*.build.labels": mergeMap(),
  "services.*.build.additional_contexts": mergeMap(),
  "services.*.build.ssh": mergeMap(toMapNull),
  "services.*.build.extra_hosts": { strategy: "append-unique", shape: hostsToList },
  "services.*.build.tags": appendUnique,
  "services.*.build.cache_from": append,
  "services.*.build.cache_to": append,
  "services.*.build.platforms": append,
  "services.*.build.secrets": { strategy: "append", shape: sourceEntry },
  "services.*.deploy.labels": mergeMap(),
  "services.*.deploy.placement.constraints": append,
  "services.*.deploy.placement.preferences": append,
  "services.*.deploy.resources.reservations.devices": append,
  "services.*.deploy.resources.reservations.generic_resources": append,
  "services.*.develop.watch": append,
  "services.*.blkio_config.weight_device": append,
  "services.*.blkio_config.device_read_bps": append,
  "services.*.blkio_config.device_write_bps": append,
  "services.*.blkio_config.device_read_iops": append,
  "services.*.blkio_config.device_write_iops": append,
  "services.*.extra_hosts": { strategy: "append-unique", shape: hostsToList },
  "services.*.cap_add": appendUnique,
  "services.*.cap_drop": appendUnique,
  "services.*.dns": appendUnique,
  "services.*.dns_opt": appendUnique,
  "services.*.dns_search": appendUnique,
  "services.*.expose": appendUnique,
  "services.*.links": appendUnique,
  "services.*.tmpfs": appendUnique,
  "services.*.profiles": appendUnique,
  "services.*.external_links": append,
  "services.*.group_add": append,
  "services.*.security_opt": append,
  "services.*.volumes_from": append,
  "services.*.device_cgroup_rules": append,
  "services.*.gpus": { strategy: "append" },
  // A null in a later file clears them (the reference's override rule for these three).
  "services.*.command": { strategy: "replace", nullClears: true },
  "services.*.entrypoint": { strategy: "replace", nullClears: true },
  "services.*.healthcheck.test": { strategy: "replace", nullClears: true },
  "services.*.ports": { strategy: "merge-by-key", shape: longForm("ports"), key: portKey },
  "services.*.volumes": { strategy: "merge-by-key", shape: longForm("volumes"), key: byTarget },
  "services.*.devices": { strategy: "merge-by-key", shape: longForm("devices"), key: byTarget },
  "services.*.secrets": { strategy: "merge-by-key", shape: sourceEntry, key: secretKey },
  "services.*.configs": { strategy: "merge-by-key", shape: sourceEntry, key: configKey },
  "services.*.env_file": { strategy: "merge-by-key", shape: envFileEntry, key: envFileKey },
  "services.*.depends_on": { strategy: "deep", shape: dependsOnToMapping },
  "services.*.networks": { strategy: "deep", shape: namesToMapping },
  "services.*.networks.*.aliases": appendUnique,
  "services.*.networks.*.link_local_ips": appendUnique,
  "services.*.logging": { strategy: "logging" },
  "networks.*.labels": mergeMap(),
  "volumes.*.labels": mergeMap(),
  "secrets.*.labels": mergeMap(),
  "configs.*.labels": mergeMap(),
};

const compiledRules = new PathTable(Object.entries(mergeRules));

const replaceRule: Rule = { strategy: "replace" };
const deepRule: Rule = { strategy: "deep" };

export function ruleFor(path: Path): Rule {
  const last = path[path.length - 1];
  if (typeof last === "string" && last.startsWith("x-")) return replaceRule;
  return compiledRules.get(path) ?? deepRule;
}

// ---------------------------------------------------------------------------------------------------
// The merge.

export function pathKey(path: Path): string {
  return path.map(String).join("\u001f");
}

export function tagSet(doc: Pick<TaggedDocument, "resets" | "overrides">): TagSet {
  return {
    resets: new Set((doc.resets ?? []).map(pathKey)),
    overrides: new Set((doc.overrides ?? []).map(pathKey)),
  };
}

const noTags: TagSet = { resets: new Set(), overrides: new Set() };

interface Context {
  tags: TagSet;
  options: MergeOptions;
}

/** Merges the documents in order (the first is the base); one document alone is brought to merge form. */
export function mergeDocuments(docs: readonly TaggedDocument[], options: MergeOptions = {}): unknown {
  let result: unknown;
  for (const doc of docs) result = mergeTagged(result, doc.value, [], tagSet(doc), options);
  return result;
}

/**
 * `override` laid over `base` at document path `at` (the path picks the rules; `tags` hold full document
 * paths). Returns undefined when the value at `at` itself is reset.
 */
export function mergeTagged(
  base: unknown,
  override: unknown,
  at: Path,
  tags: TagSet = noTags,
  options: MergeOptions = {},
): unknown {
  const merged = mergeAt(base, override, at, { tags, options });
  return merged === REMOVED ? undefined : merged;
}

function mergeAt(base: unknown, over: unknown, path: Path, ctx: Context): unknown {
  // Most documents have no tags: no key to build for every node then.
  const tagged = ctx.tags.resets.size > 0 || ctx.tags.overrides.size > 0;
  const key = tagged ? pathKey(path) : "";
  if (tagged && ctx.tags.resets.has(key)) return REMOVED;
  const rule = ruleFor(path);
  const shaped = rule.shape ? rule.shape(over, ctx.options) : over;
  // `!override`: as if there were nothing before (nested shapes and resets still apply).
  const earlier = tagged && ctx.tags.overrides.has(key) ? undefined : base;
  if (shaped === undefined) return earlier;
  if (shaped === null) return earlier === undefined || rule.nullClears ? null : earlier;
  const before = earlier !== undefined && rule.shape ? rule.shape(earlier, ctx.options) : earlier;
  return combine(rule, before, shaped, path, ctx);
}

function combine(rule: Rule, base: unknown, over: unknown, path: Path, ctx: Context): unknown {
  switch (rule.strategy) {
    case "replace":
      return over;
    case "merge-map":
      return mergeMapping(base, over, path, ctx);
    case "append-unique":
      return Array.isArray(over) ? unique([...listOf(base), ...over], textKey) : over;
    case "append":
      return Array.isArray(over) ? [...listOf(base), ...over] : over;
    case "merge-by-key":
      return Array.isArray(over) ? unique([...listOf(base), ...over], rule.key ?? textKey) : over;
    case "logging":
      return mergeLogging(base, over, path, ctx);
    case "deep":
      return mergeDeep(base, over, path, ctx);
  }
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Keeps the position of the first entry with a key and the value of the last one (reference rule). */
function unique(items: readonly unknown[], keyOf: (entry: unknown) => string): unknown[] {
  const byKey = new Map<string, unknown>();
  for (const item of items) byKey.set(keyOf(item), item);
  return [...byKey.values()];
}

function mergeMapping(base: unknown, over: unknown, path: Path, ctx: Context): unknown {
  if (!isMapping(over)) return over;
  const out: Mapping = isMapping(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(over)) {
    if (ctx.tags.resets.size > 0 && ctx.tags.resets.has(pathKey([...path, k]))) delete out[k];
    else out[k] = v;
  }
  return out;
}

function mergeDeep(base: unknown, over: unknown, path: Path, ctx: Context): unknown {
  if (!isMapping(over)) return over;
  const out: Mapping = isMapping(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(over)) {
    const merged = mergeAt(out[k], v, [...path, k], ctx);
    if (merged === REMOVED || merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

/** A different logging driver drops the earlier options; the same (or no earlier) driver merges them. */
function mergeLogging(base: unknown, over: unknown, path: Path, ctx: Context): unknown {
  const before = field(base, "driver");
  const after = field(over, "driver");
  const replaced = before !== undefined && after !== undefined && before !== after;
  return mergeDeep(replaced ? undefined : base, over, path, ctx);
}
