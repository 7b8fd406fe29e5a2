// `build`, `pull` and `push`: flags as the reference declares them (cmd/compose/build.go, pull.go, push.go,
// 2.26.1); the work is in src/project/build/, pull.ts and push.ts, imported when a command runs.
import type { Command } from "commander";
import type { Project } from "../../project/load/index.js";
import type { Progress } from "../../project/progress.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { concurrencyOf } from "./target.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface BuildFlags {
  noCache?: boolean;
  pull?: boolean;
  push?: boolean;
  buildArg?: string[];
  quiet?: boolean;
  withDependencies?: boolean;
  ssh?: string;
  builder?: string;
  memory?: string;
}

interface PullFlags {
  quiet?: boolean;
  includeDeps?: boolean;
  ignorePullFailures?: boolean;
  ignoreBuildable?: boolean;
  policy?: string;
}

interface PushFlags {
  quiet?: boolean;
  includeDeps?: boolean;
  ignorePushFailures?: boolean;
}

/** Errors of the project layer that carry an exit code become CLI errors (printed as one message). */
function asCliError(error: unknown): unknown {
  if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
    return new CliError(error.message, error.exitCode);
  }
  return error;
}

async function withProgress<T>(progress: Progress, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asCliError(error);
  } finally {
    progress.stop();
  }
}

/** The named services, plus what they depend on when asked (reference: IncludeDependencies). A name that
 * is no service fails like the reference: "no such service: <name>", exit 1. */
async function selection(project: Project, services: string[], withDeps: boolean): Promise<string[]> {
  const known = (project.model.services ?? {}) as Record<string, unknown>;
  for (const s of services) if (!Object.hasOwn(known, s)) throw new CliError(`no such service: ${s}`);
  if (services.length === 0 || !withDeps) return services;
  const { buildGraph, withDependencies } = await import("../../project/graph.js");
  const model = (project.model.services ?? {}) as Parameters<typeof buildGraph>[0];
  return withDependencies(buildGraph(model), services);
}

async function progressOrSilent(command: Command, io: Io, title: string, quiet?: boolean): Promise<Progress> {
  if (quiet) return (await import("../../project/progress.js")).silentProgress;
  const { progressFor } = await import("../progress-output.js");
  return progressFor(command, io, title);
}

export function registerBuild(program: Command, io: Io): void {
  program
    .command("build")
    .description("Build or rebuild services")
    .argument("[service...]")
    .option("--build-arg <key=value>", "Set build-time variables for services", collect)
    .option("--builder <name>", "Set builder to use")
    .option("-m, --memory <bytes>", "Set memory limit for the build container. Not supported by BuildKit.")
    .option("--no-cache", "Do not use cache when building the image")
    .option("--pull", "Always attempt to pull a newer version of the image")
    .option("--push", "Push service images")
    .option("-q, --quiet", "Don't print anything to STDOUT")
    .option("--ssh <spec>", "Set SSH authentications used when building service images.")
    .option("--with-dependencies", "Also build dependencies (transitively)")
    .action(async (services: string[], flags: BuildFlags & { cache?: boolean }, command: Command) => {
      const { openSession } = await import("../session.js");
      const session = await openSession(command, io, { services });
      const project = session.project as Project;
      const [{ buildServices }, names] = await Promise.all([
        import("../../project/build/index.js"),
        selection(project, services, Boolean(flags.withDependencies)),
      ]);
      const progress = await progressOrSilent(command, io, "Building", flags.quiet);
      await withProgress(progress, async () => {
        // commander turns --no-cache into cache=false.
        await buildServices(session.engine, project, names, {
          noCache: flags.cache === false,
          pull: flags.pull,
          buildArgs: flags.buildArg ?? [],
          ...(flags.ssh !== undefined ? { ssh: [flags.ssh] } : {}),
          quiet: flags.quiet,
          progress,
          out: (line) => io.stdout(`${line}\n`),
          parallel: concurrencyOf(command),
        });
        if (flags.push) {
          const { pushServices } = await import("../../project/push.js");
          await pushServices(session.engine, project, names, { quiet: flags.quiet }, progress);
        }
      });
    });
}

export function registerPull(program: Command, io: Io): void {
  program
    .command("pull")
    .description("Pull service images")
    .argument("[service...]")
    .option("-q, --quiet", "Pull without printing progress information")
    .option("--include-deps", "Also pull services declared as dependencies")
    .option("--ignore-pull-failures", "Pull what it can and ignores images with pull failures")
    .option("--ignore-buildable", "Ignore images that can be built")
    .option("--policy <policy>", 'Apply pull policy ("missing"|"always")')
    .action(async (services: string[], flags: PullFlags, command: Command) => {
      if (flags.policy !== undefined && flags.policy !== "missing" && flags.policy !== "always") {
        throw new UsageError(`invalid pull policy "${flags.policy}": expected "missing" or "always"`);
      }
      const { openSession } = await import("../session.js");
      const session = await openSession(command, io, { services });
      const project = session.project as Project;
      const [{ pullServices }, names] = await Promise.all([
        import("../../project/pull.js"),
        selection(project, services, Boolean(flags.includeDeps)),
      ]);
      const progress = await progressOrSilent(command, io, "Pulling", flags.quiet);
      await withProgress(progress, () =>
        pullServices(
          session.engine,
          project,
          names,
          {
            ...(flags.policy ? { policy: flags.policy as "missing" | "always" } : {}),
            ignoreFailures: flags.ignorePullFailures,
            ignoreBuildable: flags.ignoreBuildable,
          },
          progress,
        ),
      );
    });
}

export function registerPush(program: Command, io: Io): void {
  program
    .command("push")
    .description("Push service images")
    .argument("[service...]")
    .option("--ignore-push-failures", "Push what it can and ignores images with push failures")
    .option("--include-deps", "Also push images of services declared as dependencies")
    .option("-q, --quiet", "Push without printing progress information")
    .action(async (services: string[], flags: PushFlags, command: Command) => {
      const { openSession } = await import("../session.js");
      const session = await openSession(command, io, { services });
      const project = session.project as Project;
      const [{ pushServices }, names] = await Promise.all([
        import("../../project/push.js"),
        selection(project, services, Boolean(flags.includeDeps)),
      ]);
      const progress = await progressOrSilent(command, io, "Pushing", flags.quiet);
      await withProgress(progress, () =>
        pushServices(
          session.engine,
          project,
          names,
          { ignoreFailures: flags.ignorePushFailures, quiet: flags.quiet },
          progress,
        ),
      );
    });
}
