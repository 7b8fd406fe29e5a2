// `extends:` resolution for the services of one compose document, the way the reference does it.
//
// Interface
//   resolveExtends({ file, document, readDocument, resolvePath?, dirname?, merge? })
//     → { document, diagnostics }: the same document with every service's `extends` laid in and removed.
//   `file` is the document's path as the caller names it; `extends.file` values are resolved against its
//   directory with `resolvePath` and handed to `readDocument`, which returns the parsed, tagged document
//   or a Diagnostic (the caller decides what "file" means; tests use an in-memory tree).
//   The result goes on to mergeDocuments (merge.ts) with the other files, tags included: services without
//   extends are left as written, and `!reset` values of an extending service are put back as written so
//   that the file merge also removes what earlier files set there. Resolved services are in merge form.
//
// Reference rules followed here:
//   - extends is resolved in each file on its own, before the files are merged: a service of an override
//     file cannot extend a service of an earlier file, and an override of the base service in a later file
//     does not reach the services that extend it;
//   - the extending service is laid over the extended one with the same rules as merging files (merge.ts),
//     `!reset` and `!override` included; every field is inherited, depends_on, links, volumes_from,
//     network_mode and ipc too; `extends` chains, in the same file and across files;
//   - relative paths of a service taken from another file are rebased on that file's directory: build
//     context (not URLs), build.additional_contexts, env_file, bind volume sources, develop.watch paths;
//   - top-level resources (volumes, secrets, networks …) of the other file are NOT imported;
//   - a cycle, a missing service or a missing file is an error.
import path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { isMapping, type Mapping } from "./document.js";
import {
  type MergeOptions,
  mergeTagged,
  type Path,
  type TaggedDocument,
  type TagSet,
  type ToLongForm,
  tagSet,
} from "./merge.js";

export type ReadDocument = (file: string) => TaggedDocument | Diagnostic;

export interface ExtendsInput {
  /** Path of the document being resolved (absolute, or relative to the same directory as all others). */
  file: string;
  document: TaggedDocument;
  readDocument: ReadDocument;
  /** A path written in a file → the same path in the caller's frame; default: join unless absolute. */
  resolvePath?: (written: string, fileDir: string) => string;
  dirname?: (file: string) => string;
  merge?: MergeOptions;
  /**
   * The project's directory: the file's own `extends.file` values are found from there, and a relative path
   * of another file's service is rebased to stay relative to it (the reference's resource loader), made
   * absolute only where the project's paths are. Unset: the file's directory, and rebased paths are absolute.
   */
  relativeTo?: string;
}

export interface ExtendsResult {
  /** The resolved document; its tags are the input's (those under a removed key simply match nothing). */
  document: TaggedDocument;
  diagnostics: Diagnostic[];
}

interface LoadedFile {
  file: string;
  services: Mapping;
  tags: TagSet;
}

interface Resolver {
  input: ExtendsInput;
  top: string;
  files: Map<string, LoadedFile | Diagnostic>;
  /** "file\u0000service" → resolved service. */
  done: Map<string, Mapping>;
  /** Services whose chain failed, reported once. */
  failed: Set<string>;
  diagnostics: Diagnostic[];
}

function defaultResolvePath(written: string, fileDir: string): string {
  return path.isAbsolute(written) || written.startsWith("~") ? written : path.join(fileDir, written);
}

export function resolveExtends(input: ExtendsInput): ExtendsResult {
  const { document, file } = input;
  const r: Resolver = {
    input,
    top: file,
    files: new Map(),
    done: new Map(),
    failed: new Set(),
    diagnostics: [],
  };
  const root = isMapping(document.value) ? document.value : undefined;
  if (!root || !isMapping(root.services)) return { document, diagnostics: [] };
  r.files.set(file, { file, services: root.services, tags: tagSet(document) });
  const services: Mapping = {};
  for (const [name, raw] of Object.entries(root.services)) {
    // Services without extends stay as written: the file merge that follows shapes them and applies tags.
    const resolved = isMapping(raw) && raw.extends !== undefined ? resolveService(r, file, name) : undefined;
    services[name] = resolved ? keepResets(resolved, raw, ["services", name], document.resets ?? []) : raw;
  }
  return { document: { ...document, value: { ...root, services } }, diagnostics: r.diagnostics };
}

/**
 * Puts the `!reset` values of the top file back (as written) after extends removed them, so that the file
 * merge that follows also removes what earlier files set there.
 */
function keepResets(resolved: Mapping, raw: unknown, at: Path, resets: readonly Path[]): Mapping {
  const out = structuredClone(resolved);
  for (const reset of resets) {
    if (reset.length <= at.length || !at.every((s, i) => reset[i] === s)) continue;
    const rel = reset.slice(at.length);
    const parent = valueAt(out, rel.slice(0, -1));
    const last = rel[rel.length - 1];
    if (isMapping(parent) && typeof last === "string") parent[last] = valueAt(raw, rel);
  }
  return out;
}

function valueAt(value: unknown, rel: Path): unknown {
  let here = value;
  for (const segment of rel)
    here = isMapping(here) || Array.isArray(here) ? (here as Mapping)[segment] : undefined;
  return here;
}

interface ExtendsTarget {
  file?: string;
  service: string;
}

function parseExtends(value: unknown): ExtendsTarget | string {
  if (typeof value === "string") return { service: value };
  if (!isMapping(value)) return "extends must be a service name or a mapping with `service`";
  if (typeof value.service !== "string") return "extends.service is required";
  if (value.file !== undefined && typeof value.file !== "string") return "extends.file must be a string";
  return value.file === undefined ? { service: value.service } : { file: value.file, service: value.service };
}

/** The file's services, read once; a Diagnostic when it cannot be read. */
function loadFile(r: Resolver, file: string): LoadedFile | Diagnostic {
  const known = r.files.get(file);
  if (known) return known;
  const read = r.input.readDocument(file);
  let loaded: LoadedFile | Diagnostic;
  if ("message" in read) loaded = read;
  else {
    const services = isMapping(read.value) && isMapping(read.value.services) ? read.value.services : {};
    loaded = { file, services, tags: tagSet(read) };
  }
  r.files.set(file, loaded);
  return loaded;
}

/**
 * The service `name` of the top file with its extends laid in, its paths in the top file's frame;
 * undefined after an error. Errors are reported at the top-file service's own `extends` (or, down a chain
 * in another file, where the top file's chain led there). Without recursion: a chain is as long as the
 * input makes it. The chain is followed down to a base (or a service resolved before), then each
 * extending service is laid over what it extends, back up.
 */
function resolveService(r: Resolver, topFile: string, topName: string): Mapping | undefined {
  const up: { id: string; name: string; rest: Mapping; loaded: LoadedFile }[] = [];
  const chain: string[] = [];
  const inChain = new Set<string>();
  let file = topFile;
  let name = topName;
  let from: Path | undefined;
  let result: Mapping | undefined;
  for (;;) {
    const id = `${file}\u0000${name}`;
    if (r.failed.has(id)) break;
    const cached = r.done.get(id);
    if (cached) {
      result = cached;
      break;
    }
    const loaded = r.files.get(file) as LoadedFile;
    const raw = loaded.services[name];
    const own = file === r.top ? raw : rebaseService(r, raw, dirOf(r, file));
    const service = isMapping(own) ? own : {};
    // A base is brought to merge form (its own tags applied) so that the whole result is in one form.
    if (service.extends === undefined) {
      result = remember(r, id, asMapping(mergeAt(service, name, loaded, r)));
      break;
    }
    const at = file === r.top || from === undefined ? ["services", name, "extends"] : from;
    if (inChain.has(id)) {
      cycle(r, [...chain, id], at);
      break;
    }
    chain.push(id);
    inChain.add(id);
    const base = findBase(r, file, name, service.extends, at);
    if (!base) {
      r.failed.add(id);
      break;
    }
    const { extends: _, ...rest } = service;
    up.push({ id, name, rest, loaded });
    ({ file, name } = base);
    from = at;
  }
  for (let step = up.pop(); step; step = up.pop()) {
    if (result === undefined) r.failed.add(step.id);
    else result = remember(r, step.id, asMapping(mergeAt(step.rest, step.name, step.loaded, r, result)));
  }
  return result;
}

/** The file and name of the service `value` (an `extends`) names, loaded; undefined after an error. */
function findBase(
  r: Resolver,
  file: string,
  name: string,
  value: unknown,
  at: Path,
): { file: string; name: string } | undefined {
  const target = parseExtends(value);
  if (typeof target === "string") return fail(r, at, target);
  // Reference rule: the project's own files name `extends.file` from the project directory (its resource
  // loader's), an extended file from its own directory.
  const lookupDir = file === r.top && r.input.relativeTo !== undefined ? r.input.relativeTo : dirOf(r, file);
  const baseFile = target.file === undefined ? file : resolveIn(r, target.file, lookupDir);
  const loaded = loadFile(r, baseFile);
  if ("message" in loaded) return fail(r, [...at, "file"], loaded.message, loaded.hint);
  if (!(target.service in loaded.services)) {
    // Reference message: cannot extend service "a" in a.yml: service "x" not found [in o.yml]
    const where = target.file === undefined ? "" : ` in ${target.file}`;
    return fail(
      r,
      at,
      `cannot extend service "${name}" in ${file}: service "${target.service}" not found${where}`,
    );
  }
  return { file: baseFile, name: target.service };
}

function mergeAt(service: Mapping, name: string, loaded: LoadedFile, r: Resolver, base?: Mapping): unknown {
  return mergeTagged(base, service, ["services", name], loaded.tags, r.input.merge);
}

function asMapping(value: unknown): Mapping {
  return isMapping(value) ? value : {};
}

function remember(r: Resolver, id: string, service: Mapping): Mapping {
  r.done.set(id, service);
  return service;
}

function fail(r: Resolver, at: Path, message: string, hint?: string): undefined {
  const path = [...at];
  r.diagnostics.push(hint === undefined ? { path, message } : { path, message, hint });
  return undefined;
}

/** Names the loop only (a extends b, b extends b: "b -> b"), with its file(s). */
function cycle(r: Resolver, chain: string[], at: Path): undefined {
  const last = chain[chain.length - 1] ?? "";
  const loop = chain.slice(chain.indexOf(last)).map((id) => id.split("\u0000") as [string, string]);
  for (const [file, name] of loop) r.failed.add(`${file}\u0000${name}`);
  const files = new Set(loop.map(([file]) => file));
  const steps =
    files.size === 1
      ? `${loop.map(([, name]) => name).join(" -> ")} (in ${[...files][0]})`
      : loop.map(([file, name]) => `${name} (${file})`).join(" -> ");
  return fail(r, at, `circular extends: ${steps}`);
}

function dirOf(r: Resolver, file: string): string {
  return (r.input.dirname ?? path.dirname)(file);
}

function resolveIn(r: Resolver, written: string, dir: string): string {
  return (r.input.resolvePath ?? defaultResolvePath)(written, dir);
}

// ---------------------------------------------------------------------------------------------------
// Rebasing the relative paths of a service written in another file.

/** Build contexts and additional contexts may be URLs (git, https, docker-image://) or services: left alone. */
function isRemote(value: string): boolean {
  return (
    value.includes("://") ||
    value.startsWith("git@") ||
    value.startsWith("github.com/") ||
    value.startsWith("service:")
  );
}

function rebaseService(r: Resolver, raw: unknown, dir: string): unknown {
  if (!isMapping(raw)) return raw;
  const base = r.input.relativeTo;
  const local = (p: unknown): unknown => {
    if (typeof p !== "string") return p;
    if (base === undefined || path.isAbsolute(p) || p.startsWith("~")) return resolveIn(r, p, dir);
    return path.normalize(path.join(path.relative(base, dir), p)).replace(/(.)\/$/, "$1");
  };
  const out: Mapping = { ...raw };
  if (raw.build !== undefined) out.build = rebaseBuild(raw.build, local);
  if (raw.env_file !== undefined) out.env_file = rebaseEnvFiles(raw.env_file, local);
  const toLongForm = r.input.merge?.toLongForm;
  if (Array.isArray(raw.volumes))
    out.volumes = raw.volumes.flatMap((v) => rebaseVolume(v, local, toLongForm));
  if (isMapping(raw.develop) && Array.isArray(raw.develop.watch)) {
    const watch = raw.develop.watch.map((w) => (isMapping(w) ? { ...w, path: local(w.path) } : w));
    out.develop = { ...raw.develop, watch };
  }
  return out;
}

type Local = (p: unknown) => unknown;

function rebaseBuild(build: unknown, local: Local): unknown {
  if (typeof build === "string") return isRemote(build) ? build : local(build);
  if (!isMapping(build)) return build;
  const out: Mapping = { ...build };
  if (typeof build.context === "string" && !isRemote(build.context)) out.context = local(build.context);
  // Reference rule: a build without context is NOT rebased; it builds the project directory.
  const extra = build.additional_contexts;
  if (isMapping(extra)) {
    out.additional_contexts = Object.fromEntries(
      Object.entries(extra).map(([k, v]) => [k, typeof v === "string" && !isRemote(v) ? local(v) : v]),
    );
  }
  return out;
}

function rebaseEnvFiles(value: unknown, local: Local): unknown {
  const one = (e: unknown): unknown => (isMapping(e) ? { ...e, path: local(e.path) } : local(e));
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * Bind sources only. A short entry is turned to long form first when a converter is given (as the
 * reference does); without one it stays short and keeps a "./" so that it still reads as a path.
 */
function rebaseVolume(volume: unknown, local: Local, toLongForm: ToLongForm | undefined): unknown[] {
  if (typeof volume === "string") {
    if (toLongForm) return toLongForm("volumes", volume).flatMap((v) => rebaseVolume(v, local, undefined));
    const colon = volume.indexOf(":");
    const source = volume.slice(0, colon);
    if (colon <= 0 || !isRelativePath(source)) return [volume];
    const rebased = String(local(source));
    const keep = path.isAbsolute(rebased) || isRelativePath(rebased) ? rebased : `./${rebased}`;
    return [`${keep}${volume.slice(colon)}`];
  }
  if (isMapping(volume) && volume.type === "bind" && typeof volume.source === "string") {
    return [{ ...volume, source: local(volume.source) }];
  }
  return [volume];
}

function isRelativePath(source: string): boolean {
  return source === "." || source === ".." || source.startsWith("./") || source.startsWith("../");
}
