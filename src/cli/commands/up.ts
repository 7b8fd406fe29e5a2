// `up`, `create` and `down`: flags as the reference declares them (cmd/compose/up.go, create.go, down.go,
// 2.26), and their work at the CLI's edge: open the session, pick the progress renderer, run
// src/project/up.ts / down.ts (imported when the command runs), and, for an attached `up`, follow the
// containers' output until they stop or the user presses Ctrl-C (then stop the project gracefully; a second
// Ctrl-C kills).
import type { Command } from "commander";
import type { Converged, UpContext } from "../../project/apply.js";
import type { DownOptions } from "../../project/down.js";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import type { Project } from "../../project/load/index.js";
import type { CreateOptions } from "../../project/up.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import type { GlobalOptions } from "../project-options.js";
import { concurrencyOf, intFlag } from "./target.js";

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
  watch?: boolean;
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
  const timeout = intFlag("-t, --timeout", flags.timeout);
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
    .option("-w, --watch", "Watch source code and rebuild/refresh containers when files are updated.")
    .action(async (services: string[], flags: UpFlags, command: Command) => {
      if (flags.detailedExitcode && !(command.optsWithGlobals() as { dryRun?: boolean }).dryRun) {
        throw new UsageError("--detailed-exitcode needs --dry-run");
      }
      if (flags.watch && (flags as { build?: boolean }).build === false) {
        throw new UsageError("--no-build and --watch are incompatible");
      }
      if (flags.watch && (flags.detach || flags.wait)) {
        throw new UsageError("--watch cannot be combined with --detach or --wait: use `tcompose watch`");
      }
      const raw = flags as UpFlags & {
        deps?: boolean;
        start?: boolean;
        color?: boolean;
        logPrefix?: boolean;
      };
      const noDeps = raw.deps === false;
      const options = createOptionsFrom(flags, services, noDeps);
      const waitTimeout = intFlag("--wait-timeout", flags.waitTimeout);
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
        watch: flags.watch === true,
      });
    });
}

export function registerCreate(program: Command, io: Io): void {
  addCreateFlags(
    program.command("create").description("Creates containers for a service").argument("[service...]"),
  ).action(async (services: string[], flags: CreateFlags, command: Command) => {
    const options = createOptionsFrom(flags, services);
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
        const timeout = intFlag("-t, --timeout", flags.timeout);
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

export interface UpRun {
  create: CreateOptions;
  start: boolean;
  detach: boolean;
  wait: boolean;
  waitTimeoutMs?: number;
  abortOnContainerExit?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  color?: boolean;
  logPrefix?: boolean;
  timestamps?: boolean;
  /** With --dry-run: exit 2 when the plan changes something. */
  detailedExitcode?: boolean;
  /** --watch: the develop.watch rules are carried out while attached. */
  watch?: boolean;
}

function warnLine(io: Io) {
  return (text: string) => io.stderr(`WARN[0000] ${text}\n`);
}

function globalsOf(command: Command): GlobalOptions & { dryRun?: boolean } {
  return command.optsWithGlobals() as GlobalOptions & { dryRun?: boolean };
}

export async function runUp(command: Command, io: Io, run: UpRun): Promise<void> {
  const globals = globalsOf(command);
  const { openSession } = await import("../session.js");
  const session = await openSession(command, io, {
    services: run.create.services ?? [],
    plansDryRun: globals.dryRun === true,
  });
  const project = session.project;
  if (!project) throw new CliError("no configuration file provided: not found", 14);
  for (const s of run.create.services ?? []) {
    if (!Object.hasOwn((project.model.services ?? {}) as object, s))
      throw new CliError(`no such service: ${s}`);
  }
  if (globals.dryRun) return dryRunUp(command, io, session.engine, project, run);
  // The watch rules are checked before anything is made.
  const watchCli = run.watch ? await import("./watch-hooks.js") : undefined;
  const rules = watchCli ? await watchCli.projectRules(io, project, run.create.services ?? []) : [];
  const converged = await convergeUp(command, io, session.engine, project, run);
  if (run.detach || !run.start) return;
  const attached = attachedServices(run, converged.services, run.create.services ?? []);
  const containers = attached.flatMap((s) => converged.containers.get(s) ?? []);
  const code = await attachAndWait(
    session.engine,
    io,
    containers,
    run,
    async (force) => {
      // The reference's Stop (dependants first), or on a second Ctrl-C its Kill with SIGKILL: plan + apply.
      const { progressFor } = await import("../progress-output.js");
      const stopping = await progressFor(command, io, "Stopping");
      const { killServices, stopServices } = await import("../../project/lifecycle.js");
      const ops = { engine: session.engine, name: project.name, project, progress: stopping };
      try {
        if (force)
          await killServices(ops, { services: converged.services, signal: "SIGKILL" }).catch(() => {});
        else {
          await stopServices(ops, {
            services: converged.services,
            ...(run.create.timeout !== undefined ? { timeout: run.create.timeout } : {}),
          });
        }
      } finally {
        stopping.stop();
      }
    },
    watchCli &&
      ((note) => watchCli.startWatch(command, io, session.engine, project, rules, note, { quiet: true })),
  );
  if (code !== 0) throw new CliError("", code);
}

/**
 * The project's containers created (and started unless `run.start` is false) as `up -d` makes them, under
 * the project lock, with the command's progress view; Ctrl-C stops sending (exit 130).
 */
export async function convergeUp(
  command: Command,
  io: Io,
  engine: Engine,
  project: Project,
  run: UpRun,
): Promise<Converged> {
  const globals = globalsOf(command);
  const [{ progressFor, withProgress }, { lockFor }] = await Promise.all([
    import("../progress-output.js"),
    import("../project-lock.js"),
  ]);
  // The project lock, before the progress view (the waiting message), held while the project changes.
  const lock = await lockFor(command, io, engine, project.name);
  const progress = await progressFor(command, io, run.start ? "Running" : "Creating");
  const { createProject } = await import("../../project/up.js");
  const { waitProject } = await import("../../project/apply.js");
  const concurrency = concurrencyOf(command);
  // Ctrl-C while creating and starting: nothing more is sent, what was sent ends, exit 130; twice: at once.
  const { interruptible } = await import("../../project/engine/interrupt.js");
  const gate = interruptible(engine);
  const interrupt = () => (gate.interrupted ? process.exit(130) : gate.interrupt());
  const context: UpContext = {
    engine: gate.engine,
    project,
    progress,
    warn: warnLine(io),
    ...(globals.envFile?.length ? { envFileFlag: project.envFiles } : {}),
    build: async (services) => {
      const { buildForUp } = await import("./build-hook.js");
      return buildForUp(gate.engine, project, services, progress, {
        out: (line) => io.stdout(`${line}\n`),
        parallel: concurrencyOf(command),
      });
    },
  };
  process.on("SIGINT", interrupt);
  const converged = await withProgress(progress, () =>
    gate.run(async () => {
      const startOptions = {
        wait: run.wait,
        ...(run.waitTimeoutMs !== undefined ? { waitTimeout: run.waitTimeoutMs } : {}),
      };
      const converged = await createProject(context, {
        ...run.create,
        ...(concurrency ? { concurrency } : {}),
        ...(run.start ? { start: startOptions } : {}),
      });
      if (run.start && run.wait) await waitProject(context, converged, startOptions);
      return converged;
    }),
  ).finally(async () => {
    // Given back while Ctrl-C is still handled (a Ctrl-C then does not kill the process mid-request).
    await lock.release();
    process.off("SIGINT", interrupt);
  });
  return converged;
}

/**
 * --dry-run: the plan, from engine reads alone, printed as the reference's `DRY-RUN MODE -` lines with each
 * action's cause (or, with --progress json, one JSON object per action); nothing is written to the engine.
 * With --detailed-exitcode, exit 2 when the plan changes something.
 */
async function dryRunUp(
  command: Command,
  io: Io,
  engine: Engine,
  project: Project,
  run: UpRun,
): Promise<void> {
  const { showPlan } = await import("../progress-output.js");
  const { changes, PlanError } = await import("../../project/plan/plan.js");
  const { planProject } = await import("../../project/up.js");
  const globals = globalsOf(command);
  let plan: Awaited<ReturnType<typeof planProject>>;
  try {
    plan = await planProject(engine, project, run.create, {
      start: run.start,
      wait: run.wait,
      ...(globals.envFile?.length ? { envFileFlag: project.envFiles } : {}),
    });
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
  for (const w of plan.warnings) warnLine(io)(w);
  await showPlan(command, io, plan, run.start ? "Running" : "Creating");
  if (run.detailedExitcode && changes(plan)) throw new CliError("", 2);
}

function attachedServices(run: UpRun, services: string[], named: string[]): string[] {
  let attached = run.attach?.length ? run.attach : named.length && !run.attachDependencies ? named : services;
  if (run.noAttach?.length) attached = attached.filter((s) => !run.noAttach?.includes(s));
  return attached;
}

/**
 * Follows the attached containers' output with the reference's `name  | ` prefixes (the logs command's
 * printer) until all have stopped; Ctrl-C stops the project gracefully, a second one kills it. With
 * `--watch`, the watch runs meanwhile, its lines among the logs (`⦿`), and containers it recreates are
 * followed: the run ends when every followed container has stopped, or on Ctrl-C (the watch first).
 */
async function attachAndWait(
  engine: Engine,
  io: Io,
  containers: ContainerSummary[],
  run: UpRun,
  stopAll: (force: boolean) => Promise<void>,
  watch?: (note: (line: string) => void) => Promise<{ close(): Promise<void> }>,
): Promise<number> {
  const { LogPrinter, followContainers, logName } = await import("../render/log-printer.js");
  const { label } = await import("../../project/labels.js");
  const project = containers[0]?.labels[label.project] ?? "";
  const printer = new LogPrinter(process.stdout, {
    color: run.color !== false && process.stdout.isTTY === true,
    prefix: run.logPrefix !== false,
  });
  printer.register(...containers.map(logName));
  let exitCode = 0;
  let stopping = false;
  let watching: Promise<{ close(): Promise<void> }> | undefined;
  const endWatch = async () => {
    await (await watching?.catch(() => undefined))?.close();
  };
  const sigint = () => {
    if (stopping) {
      void stopAll(true);
      return;
    }
    stopping = true;
    io.stdout("Gracefully stopping... (press Ctrl+C again to force)\n");
    void endWatch().then(() => stopAll(false));
  };
  process.on("SIGINT", sigint);
  io.stdout(`Attaching to ${containers.map(logName).join(", ")}\n`);
  try {
    // The engine's current view: the containers have just been started.
    const ids = new Set(containers.map((c) => c.id));
    const current = (await engine.listContainers({ [label.project]: project }, { all: true })).filter((c) =>
      ids.has(c.id),
    );
    const services = [...new Set(containers.map((c) => c.labels[label.service] ?? ""))];
    const printing = followContainers(engine, printer, current, { project, services, follow: true });
    watching = watch?.((line) => printer.note(line));
    const waits = Promise.all(
      containers.map(async (c) => {
        const code = await engine.waitContainer(c.id, "not-running");
        const service = c.labels[label.service];
        if (run.exitCodeFrom === service) exitCode = code;
        if (run.abortOnContainerExit && !stopping) {
          if (!run.exitCodeFrom) exitCode = code;
          stopping = true;
          io.stdout("Aborting on container exit...\n");
          await endWatch();
          await stopAll(false);
        }
      }),
    );
    // Watching, a container is replaced when its service is rebuilt: the followed set says when all stopped.
    if (watching) {
      waits.catch(() => {});
      await watching;
      await printing;
      await endWatch();
    } else {
      await waits;
      await printing;
    }
  } finally {
    process.off("SIGINT", sigint);
  }
  return stopping && !run.abortOnContainerExit ? 130 : exitCode;
}

async function runDown(command: Command, io: Io, options: DownOptions): Promise<void> {
  const [{ progressFor, withProgress }, { lockFor }, { openSession }] = await Promise.all([
    import("../progress-output.js"),
    import("../project-lock.js"),
    import("../session.js"),
  ]);
  const dryRun = globalsOf(command).dryRun === true;
  const session = await openSession(command, io, { nameIsEnough: true, plansDryRun: dryRun });
  if (dryRun) {
    // The plan from engine reads alone, printed as the reference's DRY-RUN lines with causes.
    const { observeDown, planDown, DownError } = await import("../../project/plan/down.js");
    const { showPlan } = await import("../progress-output.js");
    const observed = await observeDown(session.engine, session.name, session.project, options);
    let plan: ReturnType<typeof planDown>;
    try {
      plan = planDown({
        name: session.name,
        ...(session.project ? { project: session.project } : {}),
        observed,
        options,
      });
    } catch (error) {
      if (error instanceof DownError) throw new CliError(error.message, error.exitCode);
      throw error;
    }
    await showPlan(command, io, plan, "Running");
    return;
  }
  const lock = await lockFor(command, io, session.engine, session.name);
  const progress = await progressFor(command, io, "Running");
  const { downProject } = await import("../../project/down.js");
  const concurrency = concurrencyOf(command);
  await withProgress(progress, () =>
    downProject(
      {
        engine: session.engine,
        name: session.name,
        ...(session.project ? { project: session.project } : {}),
        progress,
        warn: (text) => io.stderr(text),
      },
      { ...options, ...(concurrency ? { concurrency } : {}) },
    ),
  ).finally(() => lock.release());
}
