// `up` and `create`: flags as the reference declares them (cmd/compose/up.go, create.go, 2.26); the work is
// in src/project/up.ts, imported when the command runs.
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { Io } from "../main.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface CreateFlags {
  build?: boolean;
  noBuild?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  alwaysRecreateDeps?: boolean;
  removeOrphans?: boolean;
  scale?: string[];
  pull: string;
  quietPull?: boolean;
  timeout?: string;
  renewAnonVolumes?: boolean;
}

interface UpFlags extends CreateFlags {
  detach?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  noDeps?: boolean;
  noStart?: boolean;
  abortOnContainerExit?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  noColor?: boolean;
  noLogPrefix?: boolean;
  timestamps?: boolean;
  detailedExitcode?: boolean;
}

function addCreateFlags(command: Command): Command {
  return command
    .option("--build", "Build images before starting containers")
    .option("--no-build", "Don't build an image, even if it's policy")
    .option("--force-recreate", "Recreate containers even if their configuration and image haven't changed")
    .option(
      "--no-recreate",
      "If containers already exist, don't recreate them. Incompatible with --force-recreate.",
    )
    .option("--pull <policy>", 'Pull image before running ("always"|"missing"|"never")', "policy")
    .option("--quiet-pull", "Pull without printing progress information")
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .option("--scale <service=num>", "Scale SERVICE to NUM instances", collect);
}

export function parseScale(entries: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of entries ?? []) {
    const [name, value] = entry.split("=");
    const n = Number(value);
    if (!name || value === undefined || !Number.isInteger(n) || n < 0) {
      throw new UsageError(`invalid --scale value "${entry}": expected SERVICE=NUM`);
    }
    out[name] = n;
  }
  return out;
}

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`invalid argument "${value}" for "${name}" flag`);
  return n;
}

function createOptionsFrom(flags: CreateFlags, services: string[], noDeps = false) {
  // commander turns --no-build / --no-recreate into build=false / recreate=false.
  const raw = flags as CreateFlags & { recreate?: boolean };
  const noRecreate = raw.recreate === false;
  if (flags.forceRecreate && noRecreate)
    throw new UsageError("--force-recreate and --no-recreate are incompatible");
  if (flags.build && flags.build !== true) throw new UsageError("--build and --no-build are incompatible");
  if (!["policy", "always", "missing", "never", "build"].includes(flags.pull)) {
    throw new UsageError(`invalid --pull option "${flags.pull}"`);
  }
  const timeout = integerFlag("--timeout", flags.timeout);
  return {
    services,
    noDeps,
    recreate: noRecreate
      ? ("never" as const)
      : flags.forceRecreate
        ? ("force" as const)
        : ("diverged" as const),
    recreateDependencies: noRecreate
      ? ("never" as const)
      : flags.alwaysRecreateDeps
        ? ("force" as const)
        : ("diverged" as const),
    removeOrphans: flags.removeOrphans === true,
    ignoreOrphans: ["1", "true", "True", "TRUE"].includes(process.env.COMPOSE_IGNORE_ORPHANS ?? ""),
    scale: parseScale(flags.scale),
    ...(timeout !== undefined ? { timeout } : {}),
    inherit: flags.renewAnonVolumes !== true,
    pull: (flags.pull === "build" ? "policy" : flags.pull) as "always" | "missing" | "never" | "policy",
    quietPull: flags.quietPull === true,
    ...(flags.build === true
      ? { build: true }
      : (flags as { build?: boolean }).build === false
        ? { build: false }
        : {}),
  };
}

export function registerUp(program: Command, io: Io): void {
  addCreateFlags(program.command("up").description("Create and start containers").argument("[service...]"))
    .option("-d, --detach", "Detached mode: Run containers in the background")
    .option("--wait", "Wait for services to be running|healthy. Implies detached mode.")
    .option("--wait-timeout <seconds>", "Maximum duration to wait for the project to be running|healthy")
    .option("--no-deps", "Don't start linked services")
    .option("--always-recreate-deps", "Recreate dependent containers. Incompatible with --no-recreate.")
    .option("--no-start", "Don't start the services after creating them")
    .option(
      "-V, --renew-anon-volumes",
      "Recreate anonymous volumes instead of retrieving data from the previous containers",
    )
    .option("-t, --timeout <seconds>", "Use this timeout in seconds for container shutdown")
    .option(
      "--abort-on-container-exit",
      "Stops all containers if any container was stopped. Incompatible with -d",
    )
    .option("--exit-code-from <service>", "Return the exit code of the selected service container")
    .option("--attach <service>", "Restrict attaching to the specified services", collect)
    .option("--no-attach <service>", "Do not attach (stream logs) to the specified services", collect)
    .option("--attach-dependencies", "Automatically attach to log output of dependent services")
    .option("--no-color", "Produce monochrome output")
    .option("--no-log-prefix", "Don't print prefix in logs")
    .option("--timestamps", "Show timestamps")
    .option("--detailed-exitcode", "With --dry-run: exit 0 when nothing would change, 2 when something would")
    .action(async (services: string[], flags: UpFlags, command: Command) => {
      if (flags.detailedExitcode && !(command.optsWithGlobals() as { dryRun?: boolean }).dryRun) {
        throw new UsageError("--detailed-exitcode needs --dry-run");
      }
      const raw = flags as UpFlags & {
        deps?: boolean;
        start?: boolean;
        color?: boolean;
        logPrefix?: boolean;
      };
      const noDeps = raw.deps === false;
      const options = createOptionsFrom(flags, services, noDeps);
      const waitTimeout = integerFlag("--wait-timeout", flags.waitTimeout);
      const { runUp } = await import("./up-run.js");
      await runUp(command, io, {
        create: options,
        start: raw.start !== false,
        detach: flags.detach === true || flags.wait === true,
        wait: flags.wait === true,
        ...(waitTimeout !== undefined ? { waitTimeoutMs: waitTimeout * 1000 } : {}),
        abortOnContainerExit: flags.abortOnContainerExit === true || flags.exitCodeFrom !== undefined,
        ...(flags.exitCodeFrom ? { exitCodeFrom: flags.exitCodeFrom } : {}),
        ...(flags.attach ? { attach: flags.attach } : {}),
        ...(Array.isArray(raw.noAttach) ? { noAttach: raw.noAttach } : {}),
        attachDependencies: flags.attachDependencies === true,
        color: raw.color !== false,
        logPrefix: raw.logPrefix !== false,
        timestamps: flags.timestamps === true,
        detailedExitcode: flags.detailedExitcode === true,
      });
    });
}

export function registerCreate(program: Command, io: Io): void {
  addCreateFlags(
    program.command("create").description("Creates containers for a service").argument("[service...]"),
  ).action(async (services: string[], flags: CreateFlags, command: Command) => {
    const options = createOptionsFrom(flags, services);
    const { runUp } = await import("./up-run.js");
    await runUp(command, io, { create: options, start: false, detach: true, wait: false });
  });
}

export function registerDown(program: Command, io: Io): void {
  program
    .command("down")
    .description("Stop and remove containers, networks")
    .argument("[services...]")
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .option("--rmi <type>", 'Remove images used by services ("local"|"all")')
    .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
    .option(
      "-v, --volumes",
      'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers',
    )
    .action(
      async (
        services: string[],
        flags: { removeOrphans?: boolean; rmi?: string; timeout?: string; volumes?: boolean },
        command: Command,
      ) => {
        if (flags.rmi !== undefined && flags.rmi !== "local" && flags.rmi !== "all") {
          throw new UsageError(`invalid value for --rmi: "${flags.rmi}"`);
        }
        const timeout = integerFlag("--timeout", flags.timeout);
        const { runDown } = await import("./up-run.js");
        await runDown(command, io, {
          services,
          removeOrphans: flags.removeOrphans === true,
          volumes: flags.volumes === true,
          ...(flags.rmi ? { images: flags.rmi as "local" | "all" } : {}),
          ...(timeout !== undefined ? { timeout } : {}),
        });
      },
    );
}
