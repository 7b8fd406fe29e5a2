// Building services' images with the engine's BuildKit (buildkit.ts), or its classic builder when
// DOCKER_BUILDKIT=0 (POST /build). Services are built in parallel, each after the services it depends
// on (the reference builds in dependency order too: an image may be another's FROM). A classic build's
// output goes to the progress as log lines prefixed by the service, `[web] Step 1/3 : FROM busybox:1.36`;
// BuildKit's as the reference prints it (`#4 [web 2/3] RUN …`).
import PQueue from "p-queue";
import { registryCredentials } from "../engine/index.js";
import type { Engine, JsonMessage } from "../engine/types.js";
import { buildGraph, type ServiceEdges } from "../graph.js";
import type { Project } from "../load/index.js";
import { type Progress, type ProgressEvent, silentProgress } from "../progress.js";
import { BuildkitOutput, type BuildkitShared, buildWithBuildKit } from "./buildkit.js";
import { contextTar } from "./context.js";
import {
  BuildError,
  type Builder,
  type BuildPlan,
  builderFromEnv,
  failedBuildMessage,
  planBuild,
} from "./request.js";

export { BuildError } from "./request.js";

export interface BuildServicesOptions {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg` values: `K=V`, or `K` to take K from the environment. */
  buildArgs?: readonly string[];
  /** `--ssh` values. */
  ssh?: readonly string[];
  /** No output lines (events still go out). */
  quiet?: boolean;
  progress?: Progress;
  /** Where BuildKit's plain output lines go (the reference prints them on stdout). */
  out?: (line: string) => void;
  /** Builds at once at most (--parallel); default: COMPOSE_PARALLEL_LIMIT, else no limit. */
  parallel?: number | undefined;
  /** Default: from DOCKER_BUILDKIT (BuildKit unless it is false). */
  builder?: Builder;
}

type Mapping = Record<string, unknown>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences the builder writes
const ansiEscapes = /\u001b\[[0-9;]*[A-Za-z]/g;

/** What one build's output says about where it failed. */
export class BuildTranscript {
  step?: { number: string; instruction: string };
  /** The current step's output lines (its engine notes `--->` left out). */
  stepOutput: string[] = [];
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  /** Feeds one `stream` text of the builder; whole lines go to onLine. */
  write(text: string): void {
    const lines = (this.partial + text.replace(ansiEscapes, "")).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.line(line.replace(/\r$/, ""));
  }

  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = "";
  }

  private line(line: string): void {
    const step = /^Step (\d+\/\d+) : (.*)$/.exec(line);
    if (step) {
      this.step = { number: step[1] as string, instruction: step[2] as string };
      this.stepOutput = [];
    } else if (!/^ ---> /.test(line) && !/^Removing intermediate container /.test(line)) {
      this.stepOutput.push(line);
    }
    this.onLine(line);
  }
}

/** The failure message: the service, the step, its exit code and its output, then the engine's words. */
export function buildFailureMessage(
  service: string,
  transcript: BuildTranscript,
  engineMessage: string,
): string {
  const code = classicExitCode(engineMessage);
  const step = transcript.step;
  const where = step ? ` at step ${step.number} (${step.instruction})` : "";
  // The output is shown only for a step that ran and failed with an exit code.
  return failedBuildMessage(service, where, code, engineMessage, step && code ? transcript.stepOutput : []);
}

/** The exit code of the classic builder's failed RUN step, from its message. */
function classicExitCode(engineMessage: string): string | undefined {
  return /returned a non-zero code: (\d+)/.exec(engineMessage)?.[1];
}

/** The services to build: the named ones (all when none are named) that have a `build` section. */
export function servicesToBuild(project: Project, names: readonly string[]): string[] {
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const wanted = names.length > 0 ? new Set(names) : undefined;
  return Object.keys(services).filter((name) => (!wanted || wanted.has(name)) && services[name]?.build);
}

async function buildOne(engine: Engine, plan: BuildPlan, options: BuildServicesOptions): Promise<string> {
  const progress = options.progress ?? silentProgress;
  const prefix = `[${plan.service}]`;
  const transcript = new BuildTranscript((line) => {
    if (!options.quiet) progress.log(`${prefix} ${line}`);
  });
  let context: NodeJS.ReadableStream;
  try {
    context = await contextTar(plan);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new BuildError(`failed to build service "${plan.service}": ${message}`, 17);
  }
  let failure: string | undefined;
  const onMessage = (m: JsonMessage) => {
    if (m.stream) transcript.write(m.stream);
    if (m.error) failure ??= m.errorDetail?.message ?? m.error;
  };
  let id: string;
  try {
    id = await engine.buildImage({ context, query: plan.query }, onMessage);
  } catch (error) {
    transcript.flush();
    const message = failure ?? (error instanceof Error ? error.message : String(error));
    // The reference's classic builds end with the failed step's exit code, or 1 (17 is BuildKit's).
    const code = Number(classicExitCode(message) ?? 1);
    throw new BuildError(buildFailureMessage(plan.service, transcript, message), code);
  }
  transcript.flush();
  return id;
}

/**
 * Builds the services' images; resolves with each built service's image id. Services without `build` are
 * skipped; a service waits for the builds of the services it depends on. Progress events: `<service>
 * Building` (working), then `Built` or `Error`. On failure the remaining builds finish, none starts, and
 * the first failure is thrown (a BuildError naming the service and the step).
 */
export async function buildServices(
  engine: Engine,
  project: Project,
  serviceNames: readonly string[],
  options: BuildServicesOptions = {},
): Promise<Record<string, string>> {
  const progress = options.progress ?? silentProgress;
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const selected = servicesToBuild(project, serviceNames);
  const builder = options.builder ?? builderFromEnv(process.env.DOCKER_BUILDKIT, engine.apiVersion);
  // Plans first: what cannot be built at all fails before anything is sent.
  const plans = new Map(
    selected.map((name) => [
      name,
      planBuild(project.name, name, services[name] as Mapping, project.environment, {
        noCache: options.noCache,
        pull: options.pull,
        buildArgs: options.buildArgs,
        builder,
        ssh: options.ssh ?? [],
        secrets: (project.model.secrets ?? {}) as Mapping,
      }),
    ]),
  );
  const buildkit: BuildkitShared | undefined =
    builder === "buildkit"
      ? {
          output: new BuildkitOutput(
            progress,
            options.quiet || progress.mode !== "plain" ? undefined : options.out,
          ),
          environment: project.environment,
          credentials: registryCredentials(),
        }
      : undefined;
  const graph = buildGraph(services as Record<string, ServiceEdges>);
  const limit = options.parallel ?? Number(process.env.COMPOSE_PARALLEL_LIMIT);
  const queue = new PQueue({
    concurrency: Number.isInteger(limit) && limit > 0 ? limit : Number.POSITIVE_INFINITY,
  });
  // With BuildKit, plain output is the steps alone: the reference prints no per-service lines there.
  const announce = (event: ProgressEvent) => {
    if (!(buildkit && progress.mode === "plain")) progress.event(event);
  };
  const ids: Record<string, string> = {};
  const tasks = new Map<string, Promise<void>>();
  let failed = false;

  // Dependencies that are built too, found through services that are not built (a → b → c: a waits for c).
  const builtDependencies = (name: string, seen = new Set<string>()): string[] => {
    const out: string[] = [];
    for (const d of graph.dependencies.get(name) ?? []) {
      if (seen.has(d.service)) continue;
      seen.add(d.service);
      if (plans.has(d.service)) out.push(d.service);
      else out.push(...builtDependencies(d.service, seen));
    }
    return out;
  };
  const task = (name: string): Promise<void> => {
    const known = tasks.get(name);
    if (known) return known;
    const plan = plans.get(name) as BuildPlan;
    const run = (async () => {
      await Promise.all(builtDependencies(name).map(task));
      await queue.add(async () => {
        if (failed) return;
        announce({ id: name, text: "Building", status: "working", textAfterId: true });
        try {
          ids[name] = buildkit
            ? await buildWithBuildKit(engine, plan, buildkit)
            : await buildOne(engine, plan, options);
          announce({ id: name, text: "Built", status: "done", textAfterId: true });
        } catch (error) {
          failed = true;
          announce({ id: name, text: "Error", status: "error", textAfterId: true });
          throw error;
        }
      });
    })();
    tasks.set(name, run);
    return run;
  };
  const results = await Promise.allSettled(selected.map(task));
  buildkit?.output.printer.finish();
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return ids;
}
