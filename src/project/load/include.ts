// Top-level `include:` — other compose projects whose services and resources are added to this one, the way
// the reference (2.26) does it.
//
// Interface
//   readIncludes(value) → { entries, diagnostics }: the short form (list of paths) and the long form
//     (`path` string or list, `project_directory`, `env_file` string or list), as written.
//   planInclude(entry, { workingDir, isFile }) → where to read the included project from, or the failure.
//   includedEnvironment(parent, fromFiles): the environment the included files are interpolated with.
//   importResources(target, imported) → the including document with the imported resources added, and
//     the conflicts found.
//   applyIncludes({ document, file, workingDir, stack, isFile, load }) → the document without `include`
//     and with what each entry brings; `load` (the caller's loader) reads one included project.
//
// Reference rules followed here (observed on 2.26.1):
//   - include paths are resolved against the working directory of the including project (the project
//     directory for the top-level files, the included project's directory for nested includes), not
//     against the including file's directory;
//   - the first path is the included project's main file; the others are merged over it like -f files;
//     `project_directory` defaults to the main file's directory, and the included files' relative paths
//     (build contexts, bind mounts, env_file, secret and config files …) are resolved against it;
//   - `env_file` (relative to the including project's working directory) must exist; without it the
//     included project's `.env` is read when present; the including project's variables win over these;
//   - the included project is loaded on its own (interpolated, extended, merged, validated, canonical,
//     its paths resolved) and only then added: services, volumes, networks, secrets and configs;
//   - a name defined both here and by an include is an error unless the two definitions are the same
//     (compared as the reference compares them: the included one in canonical form against the
//     including one as written — so `image: x` in both is fine, `ports: ["80:80"]` in both is not);
//   - an include cycle is an error naming the chain; `include` itself is not in the result and its entries
//     are not validated beyond their shape (unknown keys pass).
import path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { isMapping, type Mapping } from "./document.js";
import type { TaggedDocument } from "./merge.js";

export type Path = (string | number)[];

export interface IncludeEntry {
  /** The files, as written; the first is the included project's main file. */
  paths: string[];
  projectDirectory?: string;
  envFiles: string[];
  /** Where the entry is in the document, for diagnostics. */
  at: Path;
}

/**
 * How many projects deep includes may nest. Each level is loaded by a nested call (the loader's and the
 * included project's), so a chain of a few thousand files would end in a stack overflow; real projects nest
 * a few levels. The reference has no limit (Go's stacks grow).
 */
export const MAX_INCLUDE_DEPTH = 100;

export const RESOURCE_SECTIONS = ["services", "volumes", "networks", "secrets", "configs"] as const;

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return "list";
  return typeof value === "number" ? "int" : typeof value;
}

export function readIncludes(value: unknown): { entries: IncludeEntry[]; diagnostics: Diagnostic[] } {
  const entries: IncludeEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  if (value === undefined || value === null) return { entries, diagnostics };
  if (!Array.isArray(value)) {
    diagnostics.push({ path: ["include"], message: `\`include\` must be a list, got ${describe(value)}` });
    return { entries, diagnostics };
  }
  value.forEach((item, index) => {
    const at: Path = ["include", index];
    if (typeof item === "string") {
      entries.push({ paths: [item], envFiles: [], at });
      return;
    }
    if (!isMapping(item)) {
      diagnostics.push({ path: at, message: `expected a path or a mapping, got ${describe(item)}` });
      return;
    }
    const paths = stringList(item.path);
    const envFiles = stringList(item.env_file);
    const dir = item.project_directory;
    if (!paths) diagnostics.push({ path: [...at, "path"], message: "must be a string or a list of strings" });
    if (!envFiles)
      diagnostics.push({ path: [...at, "env_file"], message: "must be a string or a list of strings" });
    if (dir !== undefined && dir !== null && typeof dir !== "string")
      diagnostics.push({ path: [...at, "project_directory"], message: "must be a string" });
    if (!paths || !envFiles || (dir !== undefined && dir !== null && typeof dir !== "string")) return;
    entries.push({
      paths,
      envFiles,
      at,
      ...(typeof dir === "string" && dir !== "" ? { projectDirectory: dir } : {}),
    });
  });
  return { entries, diagnostics };
}

export interface IncludePlan {
  /** Absolute files, main file first. */
  files: string[];
  /** Absolute: the included project's working directory. */
  projectDir: string;
  /** Absolute env files to read, in order. */
  envFiles: string[];
}

/** What failed before anything was read, with the reference's exit code (14: a file that is not there). */
export interface IncludeFailure {
  message: string;
  exitCode: number;
}

export function planInclude(
  entry: IncludeEntry,
  { workingDir, isFile }: { workingDir: string; isFile: (file: string) => boolean },
): IncludePlan | IncludeFailure {
  const files = entry.paths.map((p) => path.resolve(workingDir, p));
  const missing = files.find((f) => !isFile(f));
  if (missing) return { message: `open ${missing}: no such file or directory`, exitCode: 14 };
  const main = files[0];
  const projectDir = entry.projectDirectory
    ? path.resolve(workingDir, entry.projectDirectory)
    : path.dirname(main ?? workingDir);
  let envFiles: string[];
  if (entry.envFiles.length === 0) {
    envFiles = [path.join(projectDir, ".env")].filter((f) => isFile(f));
  } else {
    envFiles = entry.envFiles.map((f) => path.resolve(workingDir, f));
    const absent = envFiles.find((f) => !isFile(f));
    if (absent) return { message: `stat ${absent}: no such file or directory`, exitCode: 14 };
  }
  return { files, projectDir, envFiles };
}

/** The included project's variables: its env files under the including project's (which win). */
export function includedEnvironment(
  parent: Readonly<Record<string, string>>,
  fromFiles: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...fromFiles, ...parent };
}

/** The reference's message for a cycle: the chain of files, the repeated one last. */
export function cycleMessage(chain: readonly string[]): string {
  const [first, ...rest] = chain;
  return `include cycle detected:\n${first}\n include ${rest.join("\n include ")}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Service keys the reference always rewrites in an included project before it compares. */
const RESHAPED_SERVICE_KEYS = ["env_file", "ports", "volumes", "secrets", "configs"];

function isRelativeFile(value: unknown): boolean {
  return typeof value === "string" && !path.isAbsolute(value);
}

function hasDuplicates(list: unknown[]): boolean {
  const seen = new Set(list.map((v) => JSON.stringify(v)));
  return seen.size < list.length;
}

/** Whether the reference's canonical step (and its merge) would leave a service as written. */
function serviceKeptAsWritten(service: Mapping): boolean {
  if (RESHAPED_SERVICE_KEYS.some((k) => service[k] !== undefined)) return false;
  const build = service.build;
  if (build !== undefined && !(isMapping(build) && typeof build.context === "string")) return false;
  if (isMapping(build) && isRelativeFile(build.context)) return false;
  const dependsOn = service.depends_on;
  if (Array.isArray(dependsOn)) return false;
  if (isMapping(dependsOn)) {
    const complete = (d: unknown) => isMapping(d) && d.condition !== undefined && d.required !== undefined;
    if (!Object.values(dependsOn).every(complete)) return false;
  }
  if (Array.isArray(service.networks) || typeof service.dns === "string") return false;
  return !Object.values(service).some((v) => Array.isArray(v) && hasDuplicates(v));
}

/**
 * Whether a definition as written is what the reference sees as the included one: the same as written
 * and in a form its canonical step leaves alone.
 */
export function sameDefinition(section: string, local: unknown, written: unknown): boolean {
  if (!deepEqual(local, written)) return false;
  if (!isMapping(local)) return true;
  if (section === "services") return serviceKeptAsWritten(local);
  if (isMapping(local.external)) return false;
  return !isRelativeFile(local.file);
}

export interface ImportedProject {
  /** The included project's model: canonical, paths resolved. */
  model: Mapping;
  /** The same before the canonical step (merged, interpolated), to compare definitions. */
  written: Mapping;
}

/**
 * Adds the imported resources to `target` (a document as written); a name both define is a conflict
 * unless the definitions are the same. `at` locates the conflicts: the including document's entry.
 */
export function importResources(
  target: Mapping,
  imported: ImportedProject,
): { value: Mapping; diagnostics: Diagnostic[] } {
  const value: Mapping = { ...target };
  const diagnostics: Diagnostic[] = [];
  for (const section of RESOURCE_SECTIONS) {
    const from = imported.model[section];
    if (!isMapping(from)) continue;
    const to: Mapping = isMapping(target[section]) ? { ...target[section] } : {};
    const written = isMapping(imported.written[section]) ? imported.written[section] : {};
    for (const [name, entry] of Object.entries(from)) {
      if (name in to) {
        if (!sameDefinition(section, to[name], written[name])) {
          diagnostics.push({ path: [section, name], message: "conflicts with imported resource" });
        }
        continue;
      }
      to[name] = entry;
    }
    value[section] = to;
  }
  return { value, diagnostics };
}

export interface ApplyIncludesInput {
  document: TaggedDocument;
  /** The including file (absolute). */
  file: string;
  /** The including project's working directory (absolute). */
  workingDir: string;
  /** Main files of the projects being loaded, outermost first, the including file's project last. */
  stack: readonly string[];
  isFile: (file: string) => boolean;
  /**
   * Loads one included project; `stack` is the chain down to (and with) it. Undefined when it has
   * problems, which the caller has reported (located in the included files).
   */
  load: (
    plan: IncludePlan,
    stack: string[],
    entry: IncludeEntry,
  ) => ImportedProject | IncludeFailure | undefined;
}

export interface ApplyIncludesResult {
  document: TaggedDocument;
  /** Located later by the caller (paths are in the including document). */
  diagnostics: Diagnostic[];
  failure?: IncludeFailure;
  /** The included project had problems (reported by `load`): the load stops. */
  stopped?: boolean;
}

export function applyIncludes(input: ApplyIncludesInput): ApplyIncludesResult {
  const { document } = input;
  if (!isMapping(document.value) || !("include" in document.value)) return { document, diagnostics: [] };
  const { include, ...rest } = document.value;
  const read = readIncludes(include);
  if (read.diagnostics.length > 0) return { document, diagnostics: read.diagnostics };
  let value: Mapping = rest;
  const diagnostics: Diagnostic[] = [];
  for (const entry of read.entries) {
    if (entry.paths.length === 0) continue;
    const plan = planInclude(entry, input);
    if ("message" in plan) return { document, diagnostics, failure: plan };
    const main = plan.files[0] ?? "";
    if (input.stack.includes(main)) {
      diagnostics.push({ path: [...entry.at], message: cycleMessage([...input.stack, main]) });
      return { document, diagnostics };
    }
    if (input.stack.length >= MAX_INCLUDE_DEPTH) {
      diagnostics.push({
        path: [...entry.at],
        message: `include nested deeper than ${MAX_INCLUDE_DEPTH} projects: ${main}`,
      });
      return { document, diagnostics };
    }
    const imported = input.load(plan, [...input.stack, main], entry);
    if (!imported) return { document, diagnostics, stopped: true };
    if ("message" in imported) return { document, diagnostics, failure: imported };
    const merged = importResources(value, imported);
    diagnostics.push(...merged.diagnostics);
    value = merged.value;
  }
  return { document: { ...document, value }, diagnostics };
}
