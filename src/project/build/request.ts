// A service's long-form `build` (the model `config --format json` prints: context absolute, sizes in bytes,
// args resolved) turned into a request to the engine's builder, classic or BuildKit: POST /build's query
// parameters (Engine API 1.41; `version=2` selects BuildKit), how the context is sent, and what the
// BuildKit session must serve (secrets, SSH agents). Pure: no file system, no engine.
//
// Facts followed (docker compose 2.26.1, pkg/compose/build_classic.go and build.go, and images it built on
// Engine 20.10):
// - the image is tagged `image:` when given, else `<project>-<service>`, plus every `build.tags` entry;
// - args: `build.args`, overridden by `--build-arg`; a valueless arg takes the project environment's
//   value and is dropped when there is none;
// - the reference 2.26.1 builds with BuildKit (buildx is built into it) unless DOCKER_BUILDKIT=0: its images
//   carry build.labels plus com.docker.compose.project, .service and .version; with the classic builder,
//   build.labels plus com.docker.compose.image.builder=classic alone; tcompose puts the same;
// - extra_hosts go as `host:ip`; rm is always on;
// - secrets, ssh, privileged, additional_contexts and several platforms need BuildKit: the reference's classic
//   builder refuses them, and so does tcompose's;
// - with BuildKit, a build secret is asked for by its `target` when given, else by its `source`, and read
//   from the top-level secret's `file` or `environment`; `ssh` entries are `default` or `id=path` (the
//   model prints `id: path`), `default` meaning $SSH_AUTH_SOCK.
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { builtImageName, composeVersion, label } from "../labels.js";

type Mapping = Record<string, unknown>;

export class BuildError extends Error {
  constructor(
    message: string,
    /** The exit code the CLI ends with: 17 as the reference's build failures, 1 for a refused request. */
    readonly exitCode: number = 17,
  ) {
    super(message);
    this.name = "BuildError";
  }
}

export type Builder = "classic" | "buildkit";

/**
 * A failed build's message, for either builder: the service, where it failed, the step's exit code, the
 * engine's words, then the step's output lines (blank ones left out).
 */
export function failedBuildMessage(
  service: string,
  where: string,
  code: string | number | undefined,
  engineMessage: string,
  lines: readonly string[] = [],
): string {
  const exit = code !== undefined ? `, exit code ${code}` : "";
  const output = lines.filter((l) => l.trim() !== "");
  const shown = output.length > 0 ? `\n${output.map((l) => `  ${l}`).join("\n")}` : "";
  return `failed to build service "${service}"${where}${exit}: ${engineMessage.trim()}${shown}`;
}

export interface BuildRequestOptions {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg` values: `K=V`, or `K` to take K from the environment. */
  buildArgs?: readonly string[];
  /** Default: classic. */
  builder?: Builder;
  /** `--ssh` values (`default`, `id=path`), added to the service's `build.ssh`. */
  ssh?: readonly string[];
  /** The project's top-level `secrets` (what build.secrets refer to). */
  secrets?: Mapping;
}

/** A secret BuildKit may ask for: its ID and where its value is. */
export interface BuildSecret {
  id: string;
  /** The top-level secret's name, for messages. */
  source: string;
  file?: string;
  environment?: string;
}

/** An SSH agent BuildKit may ask for: its ID (`default` …) and the sockets or keys (none: $SSH_AUTH_SOCK). */
export interface BuildSsh {
  id: string;
  paths: string[];
}

export interface BuildPlan {
  service: string;
  /** The image's name: `image:` or `<project>-<service>`. */
  image: string;
  contextDir: string;
  /** The Dockerfile's path inside the context tar, `/`-separated (the `dockerfile` parameter). */
  dockerfile: string;
  /** A Dockerfile that is not a file of the context (dockerfile_inline, or one outside the context dir):
   * it is added to the tar under `dockerfile`, and named in the tar's .dockerignore so that the engine
   * drops it from the context after reading it (docker's client does the same with a file outside). */
  addedDockerfile?: { text?: string; file?: string };
  query: Record<string, unknown>;
  builder: Builder;
  /** BuildKit only: what the session serves. */
  secrets: BuildSecret[];
  ssh: BuildSsh[];
}

/** Git repositories and remote URLs as build contexts: the forms docker recognises. */
export function isRemoteContext(context: string): boolean {
  return (
    /^(https?|git|ssh):\/\//.test(context) ||
    context.startsWith("git@") ||
    context.startsWith("github.com/") ||
    /\.git(#.*)?$/.test(context)
  );
}

function asMapping(value: unknown): Mapping {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Mapping) : {};
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** build.args + --build-arg, valueless ones resolved from the environment or dropped. */
export function resolveBuildArgs(
  modelArgs: unknown,
  cliArgs: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const merged = new Map<string, string | null>();
  for (const [key, value] of Object.entries(asMapping(modelArgs))) {
    merged.set(key, value === null || value === undefined ? null : String(value));
  }
  for (const arg of cliArgs) {
    const at = arg.indexOf("=");
    if (at < 0) merged.set(arg, null);
    else merged.set(arg.slice(0, at), arg.slice(at + 1));
  }
  const out: Record<string, string> = {};
  for (const [key, value] of merged) {
    const resolved = value ?? environment[key];
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** compose's ulimits (`nofile: 1024` or `{soft, hard}`) as the Engine API's list. */
function ulimits(value: unknown): { Name: string; Soft: number; Hard: number }[] {
  return Object.entries(asMapping(value)).map(([name, limit]) => {
    if (typeof limit === "number") return { Name: name, Soft: limit, Hard: limit };
    const l = asMapping(limit);
    return { Name: name, Soft: Number(l.soft), Hard: Number(l.hard) };
  });
}

const needsBuildKit: [field: string, what: string][] = [
  ["secrets", "secrets"],
  ["ssh", "SSH keys"],
  ["additional_contexts", "additional contexts"],
  ["privileged", "privileged mode"],
];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Where the Dockerfile is, relative to the context, and whether it must be added to the tar. */
function dockerfileOf(
  contextDir: string,
  build: Mapping,
): { dockerfile: string; added?: { text?: string; file?: string } } {
  if (typeof build.dockerfile_inline === "string") {
    const text = build.dockerfile_inline;
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 20);
    return { dockerfile: `.dockerfile.${digest}`, added: { text } };
  }
  const given =
    typeof build.dockerfile === "string" && build.dockerfile !== "" ? build.dockerfile : "Dockerfile";
  const absolute = isAbsolute(given) ? given : resolve(contextDir, given);
  const rel = relative(contextDir, absolute);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    const digest = createHash("sha256").update(absolute).digest("hex").slice(0, 20);
    return { dockerfile: `.dockerfile.${digest}`, added: { file: absolute } };
  }
  return { dockerfile: rel.split(sep).join("/") };
}

/** The plan of one service's build. Throws BuildError for what tcompose's classic builder cannot do. */
export function planBuild(
  projectName: string,
  serviceName: string,
  service: Mapping,
  environment: Readonly<Record<string, string | undefined>>,
  options: BuildRequestOptions = {},
): BuildPlan {
  const build = asMapping(service.build);
  const fail = (why: string) => new BuildError(`failed to build service "${serviceName}": ${why}`, 1);
  const context = typeof build.context === "string" ? build.context : ".";
  if (isRemoteContext(context)) {
    throw fail(
      `build context "${context}" is a Git repository or URL; tcompose builds local directories only`,
    );
  }
  if (!isAbsolute(context)) throw fail(`build context "${context}" is not an absolute path`);
  const builder = options.builder ?? "classic";
  if (builder === "classic") {
    for (const [field, what] of needsBuildKit) {
      if (!isEmpty(build[field])) {
        throw fail(
          `the classic builder doesn't support ${what} (build.${field}); build with BuildKit (unset DOCKER_BUILDKIT=0)`,
        );
      }
    }
    if ((options.ssh ?? []).length > 0) {
      throw fail(
        "the classic builder doesn't support SSH keys (--ssh); build with BuildKit (unset DOCKER_BUILDKIT=0)",
      );
    }
  } else {
    checkBuildKitFields(
      build,
      fail,
      (why) => new BuildError(`failed to build service "${serviceName}": ${why}`, 17),
    );
  }
  const platforms = asStrings(build.platforms);
  if (platforms.length > 1) {
    throw fail(
      `the ${builder === "classic" ? "classic builder" : "engine's BuildKit"} doesn't support multi-arch build (build.platforms lists several)`,
    );
  }
  const image = typeof service.image === "string" ? service.image : builtImageName(projectName, serviceName);
  const { dockerfile, added } = dockerfileOf(context, build);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(asMapping(build.labels))) labels[k] = String(v ?? "");
  if (builder === "buildkit") {
    labels[label.project] = projectName;
    labels[label.service] = serviceName;
    labels[label.version] = composeVersion;
  } else {
    labels[label.imageBuilder] = "classic";
  }

  const query: Record<string, unknown> = {
    version: builder === "buildkit" ? "2" : "1",
    t: [image, ...asStrings(build.tags)],
    dockerfile,
    buildargs: resolveBuildArgs(build.args, options.buildArgs ?? [], environment),
    labels,
    rm: true,
    forcerm: true,
  };
  // An inline cache (cache_to: type=inline) is asked of the engine's BuildKit by this build argument.
  if (builder === "buildkit" && asStrings(build.cache_to).length > 0) {
    (query.buildargs as Record<string, string>).BUILDKIT_INLINE_CACHE = "1";
  }
  if (options.noCache || build.no_cache === true) query.nocache = true;
  if (options.pull || build.pull === true) query.pull = true;
  if (typeof build.target === "string" && build.target) query.target = build.target;
  const cacheFrom = cacheSources(asStrings(build.cache_from));
  // cachefrom is one JSON array; extrahosts is repeated (the engine reads every value of the parameter).
  if (cacheFrom.length > 0) query.cachefrom = JSON.stringify(cacheFrom);
  if (typeof build.network === "string" && build.network) query.networkmode = build.network;
  const hosts = asStrings(build.extra_hosts).map((h) => h.replace("=", ":"));
  if (hosts.length > 0) query.extrahosts = hosts;
  if (build.shm_size !== undefined && build.shm_size !== null) query.shmsize = Number(build.shm_size);
  const platform = platforms[0] ?? (typeof service.platform === "string" ? service.platform : undefined);
  if (platform) query.platform = platform;
  if (typeof build.isolation === "string" && build.isolation) query.isolation = build.isolation;
  const limits = ulimits(build.ulimits);
  if (limits.length > 0) query.ulimits = JSON.stringify(limits);
  return {
    service: serviceName,
    image,
    contextDir: context,
    dockerfile,
    ...(added ? { addedDockerfile: added } : {}),
    query,
    builder,
    secrets: builder === "buildkit" ? buildSecrets(build, options.secrets ?? {}, fail) : [],
    ssh: builder === "buildkit" ? buildSsh([...asStrings(build.ssh), ...(options.ssh ?? [])], fail) : [],
  };
}

/** What the engine's BuildKit (through POST /build) cannot do, refused before anything is sent. */
function checkBuildKitFields(
  build: Mapping,
  fail: (why: string) => BuildError,
  failBuild: (why: string) => BuildError,
): void {
  if (build.privileged === true) {
    throw fail(
      "build.privileged needs the security.insecure entitlement, which the engine's /build API cannot grant",
    );
  }
  if (!isEmpty(build.additional_contexts)) {
    // The reference passes them as frontend attributes through buildx's BuildKit control API (/grpc);
    // POST /build has no field for them (Engine 26.1 included), and Engine 20.10's frontend lacks the
    // capability (moby.buildkit.frontend.contexts), where the reference fails too.
    // Exit 17, as the reference's build fails on them.
    throw failBuild(
      "build.additional_contexts needs named build contexts, which the engine's /build API cannot pass to BuildKit (Engine 20.10's frontend lacks them too: unsupported frontend capability moby.buildkit.frontend.contexts)",
    );
  }
  for (const entry of asStrings(build.cache_to)) {
    const type = /(?:^|,)type=([^,]*)/.exec(entry)?.[1];
    if (type !== "inline") {
      throw fail(
        `cache_to "${entry}": the engine's BuildKit exports cache only inline (type=inline); other exporters need a buildx builder`,
      );
    }
  }
}

/** cache_from entries as image references: `type=registry,ref=IMG` → IMG, a plain reference as is. */
function cacheSources(entries: string[]): string[] {
  return entries.flatMap((entry) => {
    if (!entry.includes("=")) return [entry];
    const fields = Object.fromEntries(
      entry.split(",").map((f) => [f.split("=")[0], f.slice(f.indexOf("=") + 1)]),
    );
    if ((fields.type ?? "registry") !== "registry" || !fields.ref) return [];
    return [fields.ref as string];
  });
}

/** build.secrets resolved against the top-level secrets. */
function buildSecrets(build: Mapping, secrets: Mapping, fail: (why: string) => BuildError): BuildSecret[] {
  const list = Array.isArray(build.secrets) ? build.secrets : [];
  return list.map((entry) => {
    const ref = typeof entry === "string" ? { source: entry } : asMapping(entry);
    const source = String(ref.source ?? "");
    const top = asMapping(secrets[source]);
    const id = typeof ref.target === "string" && ref.target ? ref.target : source;
    if (typeof top.file === "string") return { id, source, file: top.file };
    if (typeof top.environment === "string") return { id, source, environment: top.environment };
    if (!secrets[source])
      throw fail(`build.secrets: secret "${source}" is not defined in the top-level secrets`);
    throw fail(
      `build.secrets: secret "${source}" must have a file or an environment variable to be used in a build`,
    );
  });
}

/** build.ssh and --ssh entries (`default`, `id=path[,path]`, `id: path`), one per ID. */
function buildSsh(entries: string[], fail: (why: string) => BuildError): BuildSsh[] {
  const byId = new Map<string, string[]>();
  for (const entry of entries) {
    const match = /^([^=:\s]+)\s*(?:[=:]\s*(.*))?$/.exec(entry.trim());
    if (!match) throw fail(`build.ssh: invalid entry "${entry}" (expected default or id=path)`);
    const paths = (match[2] ?? "").split(",").filter((p) => p !== "");
    byId.set(match[1] as string, paths);
  }
  return [...byId].map(([id, paths]) => ({ id, paths }));
}

/** The first Engine API version with BuildKit builds and their sessions (Docker 18.09). */
const buildkitApiVersion = [1, 39];

function apiAtLeast(version: string, [major, minor]: number[]): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > (major as number) || (a === major && b >= (minor as number));
}

/**
 * The builder, as the docker CLI chooses it: DOCKER_BUILDKIT read as a Go boolean (1, t, true … or 0, f,
 * false …; another value is refused, as docker refuses it); unset, BuildKit when the engine has it (API
 * 1.39 or later), else the classic builder.
 */
export function builderFromEnv(value: string | undefined, apiVersion?: string): Builder {
  const engineHasIt = apiVersion === undefined || apiAtLeast(apiVersion, buildkitApiVersion);
  if (value === undefined || value === "") return engineHasIt ? "buildkit" : "classic";
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return "classic";
  if (!["1", "t", "T", "TRUE", "true", "True"].includes(value)) {
    throw new BuildError(
      `DOCKER_BUILDKIT environment variable expects boolean value: "${value}" is not one`,
      1,
    );
  }
  if (!engineHasIt) {
    throw new BuildError(
      `DOCKER_BUILDKIT=${value}: the engine (API ${apiVersion}) has no BuildKit; it needs API 1.39`,
      1,
    );
  }
  return "buildkit";
}
