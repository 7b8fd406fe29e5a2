// The loader: from options, the environment and a file system to the project model that `config` prints
// and every other command works from. Each step is a pure module of this folder; this file only wires them
// in the reference's order:
//   .env for COMPOSE_* → files → env files → per file: YAML → interpolate → cast → extends → include
//   → merge → schema → profiles → canonical long forms → name → normalize → env_file → checks.
// Problems are collected, located (file:line:col) and returned together; nothing here throws for bad input.
import path from "node:path";
import { validateCompose } from "../../schema/validate.js";
import { canonicalizeProject, canonicalizeService, isMapping, type Mapping } from "./canonical.js";
import { checkModel, checkProject } from "./check.js";
import type { Diagnostic } from "./diagnostics.js";
import { PathSet } from "./document.js";
import { parseEnvFile } from "./envfile.js";
import { resolveExtends } from "./extends.js";
import { type FileSystem, selectFiles, stdinFile } from "./files.js";
import {
  applyIncludes,
  type ImportedProject,
  type IncludeFailure,
  type IncludePlan,
  includedEnvironment,
} from "./include.js";
import { castTypes, interpolateDocument, type Lookup } from "./interpolate.js";
import { type LongFormField, mergeDocuments, type TaggedDocument } from "./merge.js";
import { normalizeProject, resolveProjectPaths } from "./normalize.js";
import { withNumberTexts } from "./numbers.js";
import { activeProfiles, applyProfiles, missingDependency, withNamedProfiles } from "./profiles.js";
import { resolveProjectName } from "./project-name.js";
import { settleTimestamps, unmarkTimestamp } from "./timestamps.js";
import { type ComposeModel, typedModel } from "./types.js";
import { loadModel } from "./uninterpolated-model.js";
import { type Locate, parseYamlDocument } from "./yaml.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** -f, in order ("-" for stdin). */
  files?: string[];
  projectDirectory?: string;
  /** -p */
  projectName?: string;
  /** --env-file, in order; they replace the project directory's .env. */
  envFiles?: string[];
  /** --profile */
  profiles?: string[];
  /** Services a command names: always enabled, whatever their profiles. */
  services?: string[];
  /** False with --no-interpolate. */
  interpolate?: boolean;
  /** False with --no-normalize. */
  normalize?: boolean;
  /** False with --no-consistency. */
  consistency?: boolean;
  /** False with --no-path-resolution. */
  resolvePaths?: boolean;
  /**
   * False keeps `env_file` as a list instead of merging the files into `environment`: `config --hash` hashes
   * that form, while `up` hashes (and labels) the merged one (observed on 2.26).
   */
  mergeEnvFiles?: boolean;
  /** Sections kept whole though no service uses some of their entries (the stack commands: docker's rule). */
  keepUnused?: readonly ("secrets" | "configs")[];
  /** Also return the model as declared (`Project.declared`), for `config --variables`. */
  declared?: boolean;
  /** Also return the reference's uninterpolated model (`Project.written`), for `config --no-interpolate`. */
  written?: boolean;
}

export interface LoadInput {
  options: LoadOptions;
  /** The shell environment. */
  env: Environment;
  fs: FileSystem;
  home: string;
  /** Standard input's text, for `-f -`. */
  readStdin?: () => string;
}

export interface Project {
  name: string;
  workingDir: string;
  /** The compose files, absolute ("-" for stdin). */
  configFiles: string[];
  /** The env files read for interpolation (absolute), in order. */
  envFiles: string[];
  /** Shell environment over the env files: what interpolation saw. */
  environment: Record<string, string>;
  /** The model, in the long form `docker compose config --format json` prints; typed at the loader's exit. */
  model: ComposeModel;
  /** Every profile a service of the files declares, enabled or not. */
  profiles: string[];
  /** Every service the files declare, enabled or not (containers of the others are orphans). */
  allServices: string[];
  /**
   * With the `declared` option: the merged model in canonical form before profiles and normalization —
   * every service and resource the files declare, paths as written.
   */
  declared?: Mapping;
  /** With the `written` option: the model `config --no-interpolate` prints (uninterpolated-model.ts). */
  written?: Mapping;
}

export interface LoadResult {
  project?: Project;
  warnings: string[];
  /** Located problems of the documents (exit code 15). */
  problems: Diagnostic[];
  /** A failure that is not a document problem, with the reference's exit code. */
  failure?: { message: string; exitCode: number };
}

/** Where a project's files are read: the main project's, or an included one's. */
interface Scope {
  /** The variables its files are interpolated with. */
  environment: Record<string, string>;
  lookup: Lookup;
  /** Absolute: include paths are resolved against it. */
  workingDir: string;
  /** Its files, parsed and interpolated with its variables. */
  parsed: Map<string, ParsedFile>;
}

interface ParsedFile {
  file: string;
  /** Each YAML document of the file, interpolated; the reference loads them like files, in order. */
  docs: TaggedDocument[];
  locate: Locate;
  /** The file could not be read or interpolated: the reference stops there, before its includes. */
  failed: boolean;
}

/** Reads one env file into `into`; a problem ends the load, like the reference (exit 1 for .env). */
function readEnvFile(
  fs: FileSystem,
  file: string,
  lookup: Lookup,
  into: Record<string, string>,
): string | undefined {
  const text = fs.readFile(file);
  if (text === undefined) return `couldn't find env file: ${file}`;
  const parsed = parseEnvFile(file, text, lookup);
  const error = parsed.errors[0];
  if (error) return `failed to read ${file}: ${error.message}`;
  for (const [k, v] of parsed.variables) into[k] = v;
  return undefined;
}

/** .env (or --env-file) under the shell: the shell always wins for interpolation. */
function projectEnvironment(
  fs: FileSystem,
  env: Environment,
  envFiles: string[],
): { environment: Record<string, string>; error?: string } {
  const fromFiles: Record<string, string> = {};
  // A later file sees the shell, then what earlier files set (compose-go 2.4.8 dotenv.GetEnvFromFile).
  const shellThenFiles = (name: string) => env[name] ?? fromFiles[name];
  for (const file of envFiles) {
    const error = readEnvFile(fs, file, shellThenFiles, fromFiles);
    if (error) return { environment: {}, error };
  }
  const environment: Record<string, string> = { ...fromFiles };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) environment[k] = v;
  return { environment };
}

function toLongForm(field: LongFormField, entry: unknown): unknown[] {
  if (isMapping(entry)) return [entry];
  const long = canonicalizeService({ [field]: [entry] }, []).value[field];
  return Array.isArray(long) && long.length > 0 ? long : [entry];
}

export function loadProject(input: LoadInput): LoadResult {
  const { options, env, fs } = input;
  const warnings: string[] = [];
  const problems: Diagnostic[] = [];
  const fail = (message: string, exitCode: number): LoadResult => ({
    warnings,
    problems,
    failure: { message, exitCode },
  });

  // COMPOSE_* variables may come from the .env of the working (or --project-directory) directory.
  const envDir = options.projectDirectory ? path.resolve(fs.cwd, options.projectDirectory) : fs.cwd;
  const earlyEnvFiles = options.envFiles?.length
    ? options.envFiles.map((f) => path.resolve(fs.cwd, f))
    : [path.join(envDir, ".env")].filter((f) => fs.isFile(f));
  const early = projectEnvironment(fs, env, earlyEnvFiles);
  if (early.error) return fail(early.error, 1);

  const selection = selectFiles(
    {
      ...(options.files ? { files: options.files } : {}),
      ...(options.projectDirectory ? { projectDirectory: options.projectDirectory } : {}),
      ...(early.environment.COMPOSE_FILE ? { composeFile: early.environment.COMPOSE_FILE } : {}),
      ...(early.environment.COMPOSE_PATH_SEPARATOR
        ? { pathSeparator: early.environment.COMPOSE_PATH_SEPARATOR }
        : {}),
    },
    fs,
  );
  warnings.push(...selection.warnings);
  if (selection.missing) return fail(selection.missing, 14);
  const projectDir = selection.projectDir;

  const envFiles = options.envFiles?.length
    ? earlyEnvFiles
    : [path.join(projectDir, ".env")].filter((f) => fs.isFile(f));
  const { environment, error } = projectEnvironment(fs, env, envFiles);
  if (error) return fail(error, 1);
  const interpolate = options.interpolate !== false;

  /** Each file's YAML, read and parsed once (the name is read before the rest; stdin can be read once). */
  const yamlOf = new Map<string, ReturnType<typeof parseYamlDocument> | undefined>();
  const readYaml = (file: string) => {
    if (yamlOf.has(file)) return yamlOf.get(file);
    const text = file === stdinFile ? (input.readStdin?.() ?? "") : fs.readFile(file);
    const yaml = text === undefined ? undefined : parseYamlDocument(file, text);
    if (yaml) problems.push(...yaml.diagnostics);
    yamlOf.set(file, yaml);
    return yaml;
  };

  // The project name comes first, from the files' `name:` (interpolated) if neither -p nor
  // COMPOSE_PROJECT_NAME gives it; then the files are interpolated with COMPOSE_PROJECT_NAME set to it
  // (compose-go 2.4.8 loader.projectName, observed on 2.26.1: `${COMPOSE_PROJECT_NAME}` in a service or an
  // env_file reads the final name; .env is read before and does not see it).
  const selected = selection.files.map(readYaml);
  const topLevel = topLevelName(selected, interpolate ? environment : undefined);
  if (topLevel.problem) {
    const locators = selected.flatMap((y) => (y ? [y.locate] : [])).reverse();
    return {
      warnings,
      problems: [...problems, locateIn(topLevel.problem, locators, selection.files[0] ?? "")],
    };
  }
  const name = resolveProjectName({
    ...(options.projectName ? { flag: options.projectName } : {}),
    ...(environment.COMPOSE_PROJECT_NAME ? { environment: environment.COMPOSE_PROJECT_NAME } : {}),
    ...(topLevel.name ? { topLevel: topLevel.name } : {}),
    projectDir,
  });
  if ("error" in name) return fail(name.error, name.exitCode);
  environment.COMPOSE_PROJECT_NAME = name.name;

  /** Every file read, in any project (included ones too), to locate problems. */
  const allParsed: ParsedFile[] = [];
  const parseIn = (scope: Scope, file: string): ParsedFile | Diagnostic => {
    const known = scope.parsed.get(file);
    if (known) return known;
    const yaml = readYaml(file);
    if (yaml === undefined) return { path: [], message: `open ${file}: no such file or directory` };
    let failed = yaml.diagnostics.length > 0;
    const docs = yaml.documents.map(({ value: read, tags: { numbers, ...tags } }) => {
      const value = withNumberTexts(read, numbers);
      if (!interpolate) return { value, ...tags };
      const interpolated = interpolateDocument(value, scope.lookup);
      const cast = castTypes(interpolated.value);
      for (const w of [...interpolated.warnings, ...cast.warnings]) warnings.push(w.message);
      const errors = [...interpolated.errors, ...cast.errors];
      if (errors.length > 0) failed = true;
      problems.push(...errors.map((d) => locateIn(d, [yaml.locate], file)));
      return { value: cast.value, ...tags };
    });
    const result: ParsedFile = { file, locate: yaml.locate, docs, failed };
    scope.parsed.set(file, result);
    allParsed.push(result);
    return result;
  };

  /** The documents of a project's files, each with its extends and includes resolved. */
  const readDocuments = (
    files: readonly string[],
    scope: Scope,
    stack: string[],
  ): TaggedDocument[] | { message: string; exitCode: number } => {
    const documents: TaggedDocument[] = [];
    for (const file of files) {
      const one = parseIn(scope, file);
      if (!("docs" in one)) return { message: one.message, exitCode: 14 };
      for (const document of one.docs) {
        const resolved = resolveExtends({
          file,
          document,
          readDocument: (f) => {
            const other = parseIn(scope, f);
            if (!("docs" in other)) return other;
            return other.docs[0] ?? { value: {} };
          },
          merge: { toLongForm },
          relativeTo: scope.workingDir,
        });
        // A file that extends names but cannot be opened ends the load like a missing -f file (exit 14).
        const unreadable = resolved.diagnostics.find((d) => d.message.startsWith("open "));
        if (unreadable) return { message: unreadable.message, exitCode: 14 };
        problems.push(...resolved.diagnostics.map((d) => locateIn(d, [one.locate], file)));
        // A file that fails to interpolate or extend is reported as such (exit 15), its includes unread.
        if (one.failed || resolved.diagnostics.length > 0) {
          documents.push(resolved.document);
          continue;
        }
        const included = applyIncludes({
          document: resolved.document,
          file,
          workingDir: scope.workingDir,
          stack,
          isFile: (f) => fs.isFile(f),
          load: (plan, chain) => loadIncluded(plan, scope, chain),
        });
        problems.push(...included.diagnostics.map((d) => locateIn(d, [one.locate], file)));
        if (included.failure) return included.failure;
        if (included.stopped) return documents;
        documents.push(included.document);
      }
    }
    return documents;
  };

  /** An included project, loaded on its own with its variables and its directory. */
  const loadIncluded = (
    plan: IncludePlan,
    parent: Scope,
    stack: string[],
  ): ImportedProject | IncludeFailure | undefined => {
    const fromFiles: Record<string, string> = {};
    for (const file of plan.envFiles) {
      const error = readEnvFile(fs, file, parent.lookup, fromFiles);
      if (error) return { message: error, exitCode: 1 };
    }
    const environment = includedEnvironment(parent.environment, fromFiles);
    const scope: Scope = {
      environment,
      lookup: (name) => environment[name],
      workingDir: plan.projectDir,
      parsed: new Map(),
    };
    const before = problems.length;
    const documents = readDocuments(plan.files, scope, stack);
    if (!Array.isArray(documents)) return documents;
    if (problems.length > before) return undefined;
    const locators = [...scope.parsed.values()].reverse().map((p) => p.locate);
    const locateHere: Locate = (p, at) => {
      for (const l of locators) {
        const position = l(p, at);
        if (position) return position;
      }
      return undefined;
    };
    const merged = mergeDocuments(documents, { toLongForm });
    const whole = isMapping(merged) ? merged : {};
    // What the reference compares a definition of the including file with: one file's document as written.
    const single = documents.length === 1 ? documents[0]?.value : undefined;
    const written = isMapping(single) ? single : whole;
    if (interpolate) {
      const invalid = validateAll(documents, locateHere);
      problems.push(...invalid.map((d) => locateIn(d, locators, plan.files[0] ?? "")));
    }
    const canonical = canonicalizeProject(whole);
    problems.push(...canonical.diagnostics.map((d) => locateIn(d, locators, plan.files[0] ?? "")));
    if (problems.length > before) return undefined;
    // Relative to the including project, which resolves them (or not: --no-path-resolution) in turn.
    const model = resolveProjectPaths(canonical.value, {
      projectName: "",
      workingDir: path.relative(parent.workingDir, plan.projectDir) || ".",
      home: input.home,
      environment,
    });
    return { model, written };
  };

  const mainScope: Scope = {
    environment,
    lookup: (name) => environment[name],
    workingDir: projectDir,
    parsed: new Map(),
  };
  const lookup = mainScope.lookup;
  const read = readDocuments(selection.files, mainScope, selection.files.slice(0, 1));
  if (!Array.isArray(read)) return fail(read.message, read.exitCode);
  const documents = read;
  // Later files win in a merge, so a merged value is looked up in the last file that has its path.
  const locators = [...allParsed].reverse().map((p) => p.locate);
  const locateAny: Locate = (p, at) => {
    for (const l of locators) {
      const position = l(p, at);
      if (position) return position;
    }
    return undefined;
  };
  const locate = (d: Diagnostic) => locateIn(d, locators, selection.files[0] ?? "");
  if (problems.length > 0) return { warnings, problems };

  const merged = mergeDocuments(documents, { toLongForm });
  const document = isMapping(merged) ? merged : {};
  // `version` is read by nobody: the reference warns for each file that has it, and leaves it out.
  for (const parsed of allParsed) {
    if (parsed.docs.some((d) => isMapping(d.value) && "version" in d.value)) {
      warnings.push(
        `${parsed.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`,
      );
    }
  }
  delete document.version;
  // Without interpolation the schema would reject `${X}` in typed fields; `config --variables` and
  // `config --no-interpolate` (written) validate all the same, as the reference does, and the latter checks
  // nothing else (the reference's map-level load).
  const checked = !options.declared && !options.written;
  if (interpolate || !checked) problems.push(...validateAll(documents, locateAny).map(locate));
  if (problems.length > 0) return { warnings, problems };

  const declared = isMapping(document.services) ? document.services : {};
  const profiles = [
    ...new Set(
      Object.values(declared).flatMap((s) => (isMapping(s) && Array.isArray(s.profiles) ? s.profiles : [])),
    ),
  ].map(String);
  const active = activeProfiles(options.profiles, environment.COMPOSE_PROFILES);
  const named = options.services ?? [];
  // What the reference loads and checks; services named by the command are enabled afterwards.
  const loaded = applyProfiles(declared, active);
  const services = named.length
    ? applyProfiles(declared, withNamedProfiles(declared, active, named))
    : loaded;
  // Every declared service is read, so that one a profile disables still fails the load when it cannot
  // be read (the reference decodes them all before it applies profiles); then only the enabled ones stay.
  const canonical = canonicalizeProject(document);
  // Uninterpolated values (`${P}:80`) do not parse; `config --variables` only reads them.
  if (checked) problems.push(...canonical.diagnostics.map(locate));
  // YAML timestamps get their final form (a time where text is expected fails, in a disabled service too).
  const settled = settleTimestamps(canonical.value);
  if (checked) problems.push(...settled.diagnostics.map(locate));
  const readServices = isMapping(settled.value.services) ? settled.value.services : {};

  let model: Mapping = {
    ...settled.value,
    services: Object.fromEntries(Object.keys(services).map((n) => [n, readServices[n]])),
    name: name.name,
  };
  const normalized = normalizeProject(model, {
    resolvePaths: options.resolvePaths !== false,
    projectLevel: options.normalize !== false,
    ...(options.keepUnused ? { keepUnused: options.keepUnused } : {}),
    projectName: name.name,
    workingDir: projectDir,
    home: input.home,
    environment,
  });
  problems.push(...normalized.diagnostics.map(locate));
  model = normalized.value;
  if (options.mergeEnvFiles !== false) {
    const withEnvFiles = mergeEnvFiles(model, fs, lookup, projectDir);
    if (withEnvFiles.error) return fail(withEnvFiles.error, withEnvFiles.exitCode ?? 15);
    model = withEnvFiles.model;
  }
  const withLabelFiles = mergeLabelFiles(model, fs, projectDir);
  if (withLabelFiles.error) return fail(withLabelFiles.error, withLabelFiles.exitCode ?? 15);
  model = withLabelFiles.model;
  // On the merged document as written: the reference checks its map, before profiles and zero values go.
  if (!options.declared) problems.push(...checkModel(document).map(locate));
  if (options.consistency !== false && checked) {
    const selected = named.length ? onlyServices(model, Object.keys(loaded)) : model;
    problems.push(...checkProject(selected, Object.keys(declared)).map(locate));
    model = scaleAsReplicas(model);
  }
  const written = options.written
    ? loadModel({
        files: selection.files,
        workingDir: projectDir,
        projectName: name.name,
        home: input.home,
        normalize: options.normalize !== false,
        resolvePaths: options.resolvePaths !== false,
        read: (file) => readYaml(file)?.documents.map(({ value, tags }) => ({ value, ...tags })),
        isFile: (file) => fs.isFile(file),
        readEnvFiles: (files) => {
          const into: Record<string, string> = {};
          for (const file of files) readEnvFile(fs, file, () => undefined, into);
          return into;
        },
      })
    : undefined;
  if (written) problems.push(...written.problems.map(locate));
  if (problems.length > 0) return { warnings, problems };
  const missing = checked ? missingDependency((model.services ?? {}) as Mapping, named) : undefined;
  if (missing !== undefined) return fail(`no such service: ${missing}`, 1);

  return {
    warnings,
    problems,
    project: {
      name: name.name,
      workingDir: projectDir,
      configFiles: selection.files,
      envFiles,
      environment,
      model: typedModel(model),
      profiles,
      allServices: Object.keys(declared),
      ...(options.declared ? { declared: declaredModel(document) } : {}),
      ...(written ? { written: written.model } : {}),
    },
  };
}

/**
 * The top-level `name:` the reference names a project by: the last non-empty one of every document of
 * the files, as written, then interpolated (unless `environment` is absent: --no-interpolate).
 */
function topLevelName(
  files: readonly (ReturnType<typeof parseYamlDocument> | undefined)[],
  environment: Readonly<Record<string, string>> | undefined,
): { name?: string; problem?: Diagnostic } {
  let raw: string | undefined;
  for (const yaml of files) {
    for (const { value } of yaml?.documents ?? []) {
      const n = isMapping(value) ? value.name : undefined;
      if ((typeof n === "string" || typeof n === "number") && String(n) !== "")
        raw = unmarkTimestamp(String(n));
    }
  }
  if (raw === undefined || environment === undefined) return raw === undefined ? {} : { name: raw };
  const done = interpolateDocument({ name: raw }, (v) => environment[v]);
  const problem = done.errors[0];
  if (problem) return { problem };
  const name = isMapping(done.value) ? done.value.name : undefined;
  return typeof name === "string" ? { name } : {};
}

/**
 * The canonical model of every service and resource; uninterpolated `ports` stay as written, as the
 * reference keeps them when it does not interpolate.
 */
function declaredModel(document: Mapping): Mapping {
  const model = canonicalizeProject(document).value;
  if (!isMapping(model.services) || !isMapping(document.services)) return model;
  const written = document.services;
  const services = Object.fromEntries(
    Object.entries(model.services).map(([name, service]) => {
      const ports = isMapping(written[name]) ? written[name].ports : undefined;
      return [name, isMapping(service) && ports !== undefined ? { ...service, ports } : service];
    }),
  );
  return { ...model, services };
}

/**
 * The schema, as the reference applies it: on what has been merged so far after each file (merging drops
 * duplicates from lists such as dns, so `[a, a]` passes), and on each document as written for what the
 * merge reshapes (an extra_hosts map becomes strings), leaving out duplicates and `!reset` nodes there.
 * Each problem is reported once.
 */
function validateAll(documents: TaggedDocument[], locate: Locate): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const add = (d: Diagnostic) => {
    const key = `${d.path.join("\u0000")}\u0000${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  for (const doc of documents) {
    const resets = (doc.resets ?? []).map((p) => p.join("\u0000"));
    const underReset = (d: Diagnostic) => resets.some((r) => d.path.join("\u0000").startsWith(r));
    for (const d of validateCompose(doc.value, locate)) {
      if (d.message.startsWith("duplicate entry") && dedupedByReference(d.path)) continue;
      if (!underReset(d)) add(d);
    }
  }
  for (let n = 1; n <= documents.length; n++) {
    const merged = mergeDocuments(documents.slice(0, n), { toLongForm });
    for (const d of validateCompose(isMapping(merged) ? merged : {}, locate)) {
      // An empty key here comes from a `=VALUE` list entry (a written one was reported above): the
      // reference's merge keeps such lists as lists, and accepts them.
      if (d.message !== emptyKey) add(d);
    }
  }
  return out;
}

const emptyKey = "empty key is not allowed";

/** Lists the reference makes unique before it validates (compose-go's unicity indexers); others keep repeats. */
const DEDUPED = new PathSet([
  "services.*.annotations",
  "services.*.build.args",
  "services.*.build.additional_contexts",
  "services.*.build.platforms",
  "services.*.build.tags",
  "services.*.build.labels",
  "services.*.cap_add",
  "services.*.cap_drop",
  "services.*.configs",
  "services.*.deploy.labels",
  "services.*.devices",
  "services.*.dns",
  "services.*.dns_opt",
  "services.*.dns_search",
  "services.*.environment",
  "services.*.env_file",
  "services.*.expose",
  "services.*.labels",
  "services.*.links",
  "services.*.networks.*.aliases",
  "services.*.networks.*.link_local_ips",
  "services.*.ports",
  "services.*.profiles",
  "services.*.secrets",
  "services.*.sysctls",
  "services.*.tmpfs",
  "services.*.volumes",
  "networks.*.labels",
  "networks.*.ipam.options",
]);

/** Whether a duplicate entry at `path` (the list's path, or an entry's) is dropped by the reference's merge. */
function dedupedByReference(path: readonly (string | number)[]): boolean {
  const list = typeof path[path.length - 1] === "number" ? path.slice(0, -1) : path;
  return DEDUPED.has(list);
}

/**
 * env_file contents go into `environment` (the service's own `environment` wins) and `env_file` is dropped,
 * as the reference prints it. A missing file is an error unless `required: false`.
 */
function mergeEnvFiles(
  model: Mapping,
  fs: FileSystem,
  lookup: Lookup,
  projectDir: string,
): { model: Mapping; error?: string; exitCode?: number } {
  if (!isMapping(model.services)) return { model };
  const services: Mapping = {};
  for (const [name, raw] of Object.entries(model.services)) {
    if (!isMapping(raw) || !Array.isArray(raw.env_file)) {
      services[name] = raw;
      continue;
    }
    const fromFiles: Record<string, string> = {};
    // A later env_file sees what earlier ones set first, then the project's variables (compose-go 2.4.8
    // WithServicesEnvironmentResolved).
    const filesThenProject = (name: string) => fromFiles[name] ?? lookup(name);
    for (const entry of raw.env_file) {
      if (!isMapping(entry) || typeof entry.path !== "string") continue;
      // 2.26 (compose-go 2.4.8) reads no named format, not even "dotenv": it refuses them (exit 15).
      if (entry.format !== undefined && entry.format !== "")
        return { model, error: `unsupported env_file format "${String(entry.format)}"` };
      // Still relative with --no-path-resolution: read it from the project directory all the same.
      const file = path.resolve(projectDir, entry.path);
      if (!fs.isFile(file)) {
        if (entry.required === false) continue;
        // The reference's message and exit code for a file that is not there.
        return {
          model,
          error: `env file ${file} not found: stat ${file}: no such file or directory`,
          exitCode: 14,
        };
      }
      const error = readEnvFile(fs, file, filesThenProject, fromFiles);
      if (error) return { model, error };
    }
    const { env_file: _read, ...rest } = raw;
    const own = isMapping(raw.environment) ? raw.environment : {};
    const environment = { ...fromFiles, ...own };
    // Env files with no variables leave no `environment` behind (Go's omitempty).
    services[name] = Object.keys(environment).length > 0 ? { ...rest, environment } : rest;
  }
  return { model: { ...model, services } };
}

/**
 * `scale` is written into `deploy.replicas` when the service has a deploy section: the reference's consistency
 * step does it (after checking that the two agree), so not with --no-consistency.
 */
function scaleAsReplicas(model: Mapping): Mapping {
  if (!isMapping(model.services)) return model;
  const services = Object.fromEntries(
    Object.entries(model.services).map(([name, s]) => {
      if (!isMapping(s) || s.scale === undefined || !isMapping(s.deploy)) return [name, s];
      return [name, { ...s, deploy: { ...s.deploy, replicas: s.scale } }];
    }),
  );
  return { ...model, services };
}

/**
 * label_file contents go into `labels` (the service's own labels win; a later file sees the labels of earlier
 * ones), like compose-go 2.4.8's WithServicesLabelsResolved, and `label_file` goes: `config` prints none and
 * the reference's config hash does not cover it (observed on 2.26.1).
 */
function mergeLabelFiles(
  model: Mapping,
  fs: FileSystem,
  projectDir: string,
): { model: Mapping; error?: string; exitCode?: number } {
  if (!isMapping(model.services)) return { model };
  const services: Mapping = {};
  for (const [name, raw] of Object.entries(model.services)) {
    const files = isMapping(raw) ? raw.label_file : undefined;
    const list = typeof files === "string" ? [files] : Array.isArray(files) ? files.map(String) : [];
    if (!isMapping(raw) || list.length === 0) {
      services[name] = raw;
      continue;
    }
    const fromFiles: Record<string, string> = {};
    for (const written of list) {
      const file = path.resolve(projectDir, written);
      if (!fs.isFile(file)) {
        return {
          model,
          error: `label file ${file} not found: stat ${file}: no such file or directory`,
          exitCode: 14,
        };
      }
      const error = readEnvFile(fs, file, (v) => fromFiles[v], fromFiles);
      if (error) return { model, error };
    }
    const { label_file: _read, ...rest } = raw;
    const labels = { ...fromFiles, ...(isMapping(raw.labels) ? raw.labels : {}) };
    services[name] = Object.keys(labels).length > 0 ? { ...rest, labels } : rest;
  }
  return { model: { ...model, services } };
}

function onlyServices(model: Mapping, names: readonly string[]): Mapping {
  const services = isMapping(model.services) ? model.services : {};
  return {
    ...model,
    services: Object.fromEntries(Object.entries(services).filter(([n]) => names.includes(n))),
  };
}

/** Fills a diagnostic's position from the first document that has its path (or the nearest parent). */
function locateIn(d: Diagnostic, locators: Locate[], fallbackFile: string): Diagnostic {
  if (d.position) return d;
  for (let n = d.path.length; n >= 0; n--) {
    const prefix = d.path.slice(0, n);
    for (const locate of locators) {
      const position = locate(prefix);
      if (position) return { ...d, position };
    }
  }
  return fallbackFile ? { ...d, position: { file: fallbackFile, line: 1, column: 1 } } : d;
}
