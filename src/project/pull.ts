// Pulling services' images, as `pull` does and as `up` does before creating containers.
//
// Behaviour followed (docker compose 2.26.1, pkg/compose/pull.go, and its plain progress output):
// `pull` reports every service: ` b Skipped - No image to be pulled ` (no image:), ` red Skipped `
// (pull_policy never or build), ` web Skipped - Image is already present locally ` (missing/if_not_present
// and a tagged, non-latest image present), ` x Skipped - Image can be built ` (--ignore-buildable),
// ` w2 Skipped - Image is already being pulled by web `; the others ` web Pulling `, layer lines, then
// ` web Pulled `, or ` web Error <message>` (` web Warning <message>` when the service can be built, which
// adds the tail "WARNING: Some service image(s) must be built from source by running: …"). A failure of an
// image that cannot be built fails the command (exit 18) unless --ignore-pull-failures.
// `up` (pullRequiredImages) pulls only what is needed (policy always, or missing and absent), prints
// nothing for the rest, and tolerates the failure of an image some service can build.
import PQueue from "p-queue";
import { EngineError } from "./engine/errors.js";
import type { Engine, JsonMessage } from "./engine/types.js";
import { dockerodeWords } from "./engine-words.js";
import type { Project } from "./load/index.js";
import { type Progress, type ProgressEvent, pullLayerEvent } from "./progress.js";

type Mapping = Record<string, unknown>;

export interface PullOptions {
  /** `pull --policy` (or `up --pull`): replaces pull_policy of every service that has an image. */
  policy?: "missing" | "always" | "never" | "build";
  ignoreFailures?: boolean;
  /** `pull --ignore-buildable`: services with a build section are not pulled. */
  ignoreBuildable?: boolean;
  /** No layer events (`--quiet-pull`). */
  quiet?: boolean;
  /** `up`'s way: only the images that must be pulled are reported; failures of buildable images pass. */
  forUp?: boolean;
}

export interface PullResult {
  /** Service → the id of the image pulled for it. */
  pulled: Record<string, string>;
  /** Services whose pull failed but which can be built. */
  mustBuild: string[];
}

/** A failed pull: exit code 18, as the reference's pull failures. */
export class PullError extends Error {
  readonly exitCode = 18;
  constructor(message: string) {
    super(message);
    this.name = "PullError";
  }
}

/** The words the engine said (without the adapter's `image <ref>: ` prefix), and the error's full message,
 * which the reference prefixes with "Error response from daemon: " for an HTTP error. */
function engineWords(error: unknown): { words: string; full: string } {
  if (error instanceof EngineError) {
    const words = dockerodeWords(error.message.slice(error.resource.length + 2));
    return { words, full: error.statusCode ? `Error response from daemon: ${words}` : words };
  }
  const words = error instanceof Error ? error.message : String(error);
  return { words, full: words };
}

/** Like distribution/reference: a reference names a tag other than latest (a digest counts as no tag). */
export function hasExplicitTag(image: string): boolean {
  if (image.includes("@")) return false;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  return colon >= 0 && image.slice(colon + 1) !== "latest";
}

const event = (
  id: string,
  text: string,
  status: ProgressEvent["status"],
  details?: string,
): ProgressEvent => ({
  id,
  text,
  status,
  textAfterId: true,
  ...(details !== undefined ? { details } : {}),
});

/** Whether a service, or another one naming the same image, can build the image. */
export function canBuild(name: string, services: Record<string, Mapping>): boolean {
  const service = services[name] as Mapping;
  if (service.build) return true;
  return Object.values(services).some((s) => s.image === service.image && s.build);
}

/** One service's pull, reported as the reference does; a failure is returned (Warning when it can be built). */
export async function pullServiceImage(
  engine: Engine,
  pull: { name: string; image: string; platform?: string | undefined; buildable: boolean },
  options: Pick<PullOptions, "quiet">,
  progress: Progress,
): Promise<{ id?: string; failure?: PullError }> {
  const { name, image, buildable } = pull;
  progress.event(event(name, "Pulling", "working"));
  let streamError: string | undefined;
  try {
    await engine.pullImageWithProgress(
      image,
      (m: JsonMessage) => {
        if (m.error) streamError ??= m.errorDetail?.message ?? m.error;
        if (options.quiet) return;
        const layer = pullLayerEvent(name, m);
        if (layer) progress.event(layer);
      },
      pull.platform,
    );
  } catch (error) {
    const { words, full } = streamError ? { words: streamError, full: streamError } : engineWords(error);
    progress.event(event(name, buildable ? "Warning" : "Error", buildable ? "warning" : "error", words));
    return { failure: new PullError(full) };
  }
  progress.event(event(name, "Pulled", "done"));
  const details = await engine.inspectImage(image);
  return details ? { id: details.id } : {};
}

/** The platform a service's image is pulled for: its own, else DOCKER_DEFAULT_PLATFORM. */
export function pullPlatform(project: Project, service: { platform?: unknown }): string | undefined {
  return (
    (typeof service.platform === "string" && service.platform) ||
    project.environment.DOCKER_DEFAULT_PLATFORM ||
    undefined
  );
}

export async function pullServices(
  engine: Engine,
  project: Project,
  serviceNames: readonly string[],
  options: PullOptions,
  progress: Progress,
): Promise<PullResult> {
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const names = serviceNames.length > 0 ? serviceNames.filter((n) => services[n]) : Object.keys(services);
  const result: PullResult = { pulled: {}, mustBuild: [] };
  const beingPulled = new Map<string, string>();
  const limit = Number(process.env.COMPOSE_PARALLEL_LIMIT);
  const queue = new PQueue({
    concurrency: Number.isInteger(limit) && limit > 0 ? limit : Number.POSITIVE_INFINITY,
  });
  const jobs: Promise<void>[] = [];
  const failures: { service: string; error: unknown }[] = [];

  for (const name of names) {
    const service = services[name] as Mapping;
    const image = typeof service.image === "string" ? service.image : "";
    const skip = (why: string) => {
      if (!options.forUp) progress.event(event(name, why, "done"));
    };
    if (image === "") {
      skip("Skipped - No image to be pulled");
      continue;
    }
    const policy = (options.policy && image ? options.policy : service.pull_policy) as string | undefined;
    if (policy === "never" || policy === "build") {
      skip("Skipped");
      continue;
    }
    const missingOnly =
      policy === "missing" || policy === "if_not_present" || (options.forUp && policy !== "always");
    if (missingOnly) {
      // `pull` counts only a tagged, non-latest image as present; `up` any image of that name.
      const present = await engine.hasImage(image);
      if (present && (options.forUp || hasExplicitTag(image))) {
        skip("Skipped - Image is already present locally");
        continue;
      }
    }
    if (service.build && options.ignoreBuildable) {
      skip("Skipped - Image can be built");
      continue;
    }
    const first = beingPulled.get(image);
    if (first !== undefined) {
      skip(`Skipped - Image is already being pulled by ${first}`);
      continue;
    }
    beingPulled.set(image, name);
    const platform = pullPlatform(project, service);
    const buildable = options.forUp ? canBuild(name, services) : Boolean(service.build);
    jobs.push(
      queue.add(async () => {
        const pulled = await pullServiceImage(
          engine,
          { name, image, platform, buildable },
          options,
          progress,
        );
        if (pulled.failure) {
          if (buildable) result.mustBuild.push(name);
          failures.push({ service: name, error: pulled.failure });
        } else if (pulled.id) result.pulled[name] = pulled.id;
      }),
    );
  }
  await Promise.all(jobs);

  if (result.mustBuild.length > 0 && !options.forUp) {
    const tail = `WARNING: Some service image(s) must be built from source by running:\n    docker compose build ${result.mustBuild.join(" ")}`;
    if (progress.tail) progress.tail(tail);
    else progress.log(tail);
  }
  if (options.ignoreFailures) return result;
  const fatal = failures.filter((f) =>
    options.forUp ? !canBuild(f.service, services) : !(services[f.service] as Mapping).build,
  );
  // The reference stops at the first image that can be neither pulled nor built; without one, `pull`
  // still fails with every error, as a hashicorp multierror prints them.
  if (fatal[0]) throw fatal[0].error;
  if (failures.length > 0 && !options.forUp) {
    const count = failures.length === 1 ? "1 error occurred" : `${failures.length} errors occurred`;
    const items = failures.map((f) => `\t* ${(f.error as Error).message}`).join("\n");
    throw new PullError(`${count}:\n${items}\n`);
  }
  return result;
}
