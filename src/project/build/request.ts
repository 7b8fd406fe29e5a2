// A service's long-form `build` (the model `config --format json` prints: context absolute, sizes in bytes,
// args resolved) turned into a request to the engine's classic builder: POST /build's query parameters
// (Engine API 1.41) and how the context tar is to be made. Pure: no file system, no engine.
//
// Facts followed (docker compose 2.26.1, pkg/compose/build_classic.go and build.go, and images it built on
// Engine 20.10):
// - the image is tagged `image:` when given, else `<project>-<service>`, plus every `build.tags` entry;
// - args: `build.args`, overridden by `--build-arg`; a valueless arg takes the project environment's
//   value and is dropped when there is none;
// - images built by the reference (its default builder) carry build.labels plus com.docker.compose.project,
//   .service and .version; tcompose puts the same (its own classic builder adds
//   com.docker.compose.image.builder=classic instead, which tcompose does not copy);
// - extra_hosts go as `host:ip`; rm is always on;
// - secrets, ssh, privileged, additional_contexts and several platforms need BuildKit: the reference's classic
//   builder refuses them, and so does tcompose (it has no BuildKit session).
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

export interface BuildRequestOptions {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg` values: `K=V`, or `K` to take K from the environment. */
  buildArgs?: readonly string[];
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
  for (const [field, what] of needsBuildKit) {
    if (!isEmpty(build[field])) {
      throw fail(`the classic builder doesn't support ${what} (build.${field}); tcompose has no BuildKit`);
    }
  }
  const platforms = asStrings(build.platforms);
  if (platforms.length > 1) {
    throw fail("the classic builder doesn't support multi-arch build (build.platforms lists several)");
  }
  const image = typeof service.image === "string" ? service.image : builtImageName(projectName, serviceName);
  const { dockerfile, added } = dockerfileOf(context, build);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(asMapping(build.labels))) labels[k] = String(v ?? "");
  labels[label.project] = projectName;
  labels[label.service] = serviceName;
  labels[label.version] = composeVersion;

  const query: Record<string, unknown> = {
    version: "1",
    t: [image, ...asStrings(build.tags)],
    dockerfile,
    buildargs: resolveBuildArgs(build.args, options.buildArgs ?? [], environment),
    labels,
    rm: true,
    forcerm: true,
  };
  if (options.noCache || build.no_cache === true) query.nocache = true;
  if (options.pull || build.pull === true) query.pull = true;
  if (typeof build.target === "string" && build.target) query.target = build.target;
  const cacheFrom = asStrings(build.cache_from);
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
  };
}
