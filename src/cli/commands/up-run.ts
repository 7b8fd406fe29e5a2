// The work of `up`, `create` and `down` at the CLI's edge: open the session, pick the progress renderer,
// run src/project/up.ts / down.ts, and, for an attached `up`, follow the containers' output until they
// stop or the user presses Ctrl-C (then stop the project gracefully; a second Ctrl-C kills).
import type { Command } from "commander";
import type { UpContext } from "../../project/apply.js";
import type { DownOptions } from "../../project/down.js";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import type { Project } from "../../project/load/index.js";
import { canonicalName } from "../../project/state.js";
import type { CreateOptions } from "../../project/up.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { progressFor, withProgress } from "../progress-output.js";
import { lockFor } from "../project-lock.js";
import type { GlobalOptions } from "../project-options.js";
import { openSession } from "../session.js";

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
}

function warnLine(io: Io) {
  return (text: string) => io.stderr(`WARN[0000] ${text}\n`);
}

function globalsOf(command: Command): GlobalOptions & { parallel?: string; dryRun?: boolean } {
  return command.optsWithGlobals() as GlobalOptions & { parallel?: string; dryRun?: boolean };
}

function concurrencyOf(command: Command): number | undefined {
  const n = Number(globalsOf(command).parallel ?? "-1");
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function runUp(command: Command, io: Io, run: UpRun): Promise<void> {
  const globals = globalsOf(command);
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
  // The project lock, before the progress view (the waiting message), held while the project changes.
  const lock = await lockFor(command, io, session.engine, project.name);
  const progress = await progressFor(command, io, run.start ? "Running" : "Creating");
  const { createProject } = await import("../../project/up.js");
  const { waitProject } = await import("../../project/apply.js");
  const concurrency = concurrencyOf(command);
  // Ctrl-C while creating and starting: nothing more is sent, what was sent ends, exit 130; twice: at once.
  const { interruptible } = await import("../../project/engine/interrupt.js");
  const gate = interruptible(session.engine);
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
  if (run.detach || !run.start) return;
  const attached = attachedServices(run, converged.services, run.create.services ?? []);
  const containers = attached.flatMap((s) => converged.containers.get(s) ?? []);
  const code = await attachAndWait(session.engine, io, containers, run, async (force) => {
    const stopping = await progressFor(command, io, "Stopping");
    const all = [...converged.containers.values()].flat();
    await Promise.all(
      all.map(async (c) => {
        const id = `Container ${canonicalName(c)}`;
        stopping.event({ id, text: force ? "Killing" : "Stopping", status: "working" });
        if (force) await session.engine.killContainer(c.id).catch(() => {});
        else await session.engine.stopContainer(c.id, run.create.timeout);
        stopping.event({ id, text: force ? "Killed" : "Stopped", status: "done" });
      }),
    );
    stopping.stop();
  });
  if (code !== 0) throw new CliError("", code);
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
  const { observe } = await import("../../project/plan/observed.js");
  const { changes, planEvents, planJson, planUp, PlanError } = await import("../../project/plan/plan.js");
  const { targetServices } = await import("../../project/plan/desired.js");
  const create = run.create;
  const targets = create.targets ?? targetServices(project, create.services, create.noDeps);
  const observed = await observe(engine, project, targets, { details: true });
  const globals = globalsOf(command);
  let plan: ReturnType<typeof planUp>;
  try {
    plan = planUp({
      project,
      observed,
      options: {
        targets,
        ...(create.services?.length ? { named: create.services } : {}),
        ...(create.recreate ? { recreate: create.recreate } : {}),
        ...(create.recreateDependencies ? { recreateDependencies: create.recreateDependencies } : {}),
        ...(create.removeOrphans ? { removeOrphans: true } : {}),
        ...(create.ignoreOrphans ? { ignoreOrphans: true } : {}),
        ...(create.scale ? { scale: create.scale } : {}),
        ...(create.pull ? { pull: create.pull } : {}),
        ...(create.build !== undefined ? { build: create.build } : {}),
        start: run.start,
        wait: run.wait,
      },
      apiVersion: engine.apiVersion,
      ...(globals.envFile?.length ? { envFileFlag: project.envFiles } : {}),
    });
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
  for (const w of plan.warnings) warnLine(io)(w);
  const progress = await progressFor(command, io, run.start ? "Running" : "Creating");
  if (progress.mode === "json") for (const line of planJson(plan)) io.stderr(`${line}\n`);
  else for (const event of planEvents(plan)) progress.event(event);
  progress.stop();
  if (run.detailedExitcode && changes(plan)) throw new CliError("", 2);
}

function attachedServices(run: UpRun, services: string[], named: string[]): string[] {
  let attached = run.attach?.length ? run.attach : named.length && !run.attachDependencies ? named : services;
  if (run.noAttach?.length) attached = attached.filter((s) => !run.noAttach?.includes(s));
  return attached;
}

/**
 * Follows the attached containers' output with the reference's `name  | ` prefixes (the logs command's
 * printer) until all have stopped; Ctrl-C stops the project gracefully, a second one kills it.
 */
async function attachAndWait(
  engine: Engine,
  io: Io,
  containers: ContainerSummary[],
  run: UpRun,
  stopAll: (force: boolean) => Promise<void>,
): Promise<number> {
  const { LogPrinter, followContainers, logName } = await import("../render/log-printer.js");
  const project = containers[0]?.labels[label.project] ?? "";
  const printer = new LogPrinter(process.stdout, {
    color: run.color !== false && process.stdout.isTTY === true,
    prefix: run.logPrefix !== false,
  });
  printer.register(...containers.map(logName));
  let exitCode = 0;
  let stopping = false;
  const sigint = () => {
    if (stopping) {
      void stopAll(true);
      return;
    }
    stopping = true;
    io.stdout("Gracefully stopping... (press Ctrl+C again to force)\n");
    void stopAll(false);
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
    await Promise.all(
      containers.map(async (c) => {
        const code = await engine.waitContainer(c.id, "not-running");
        const service = c.labels[label.service];
        if (run.exitCodeFrom === service) exitCode = code;
        if (run.abortOnContainerExit && !stopping) {
          if (!run.exitCodeFrom) exitCode = code;
          stopping = true;
          io.stdout("Aborting on container exit...\n");
          await stopAll(false);
        }
      }),
    );
    await printing;
  } finally {
    process.off("SIGINT", sigint);
  }
  return stopping && !run.abortOnContainerExit ? 130 : exitCode;
}

export async function runDown(command: Command, io: Io, options: DownOptions): Promise<void> {
  const dryRun = globalsOf(command).dryRun === true;
  const session = await openSession(command, io, { nameIsEnough: true, plansDryRun: dryRun });
  if (dryRun) {
    // The plan from engine reads alone, printed as the reference's DRY-RUN lines with causes.
    const { observeDown, planDown, DownError } = await import("../../project/plan/down.js");
    const { planEvents, planJson } = await import("../../project/plan/plan.js");
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
    const progress = await progressFor(command, io, "Running");
    if (progress.mode === "json") for (const line of planJson(plan)) io.stderr(`${line}\n`);
    else for (const event of planEvents(plan)) progress.event(event);
    progress.stop();
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
