// `start`: the start phase of `up` on containers that already exist (cmd/compose/start.go, 2.26); without a
// compose file, every stopped container of the named project.
import type { Command } from "commander";
import type { Converged, StartOptions } from "../../project/apply.js";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import type { Progress } from "../../project/progress.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";

export function registerStart(program: Command, io: Io): void {
  program
    .command("start")
    .description("Start services")
    .argument("[service...]")
    .option("--wait", "Wait for services to be running|healthy")
    .option("--wait-timeout <seconds>", "Maximum duration to wait for the project to be running|healthy")
    .action(async (services: string[], flags: { wait?: boolean; waitTimeout?: string }, command: Command) => {
      const timeout = flags.waitTimeout === undefined ? undefined : Number(flags.waitTimeout);
      if (timeout !== undefined && !Number.isInteger(timeout)) {
        throw new UsageError(`invalid argument "${flags.waitTimeout}" for "--wait-timeout" flag`);
      }
      await runStart(command, io, services, {
        wait: flags.wait === true,
        ...(timeout !== undefined ? { waitTimeout: timeout * 1000 } : {}),
      });
    });
}

async function runStart(command: Command, io: Io, services: string[], options: StartOptions): Promise<void> {
  const [{ projectContainers, serviceOf }, { progressFor, withProgress }, { lockFor }, { openSession }] =
    await Promise.all([
      import("../../project/state.js"),
      import("../progress-output.js"),
      import("../project-lock.js"),
      import("../session.js"),
    ]);
  const session = await openSession(command, io, { services, nameIsEnough: true });
  const lock = await lockFor(command, io, session.engine, session.name);
  const progress = await progressFor(command, io, "Running");
  const { startProject } = await import("../../project/apply.js");
  const { targetServices } = await import("../../project/plan/desired.js");
  const existing = await projectContainers(session.engine, session.name, {});
  await withProgress(progress, async () => {
    if (!session.project) {
      // No compose file: start every stopped container of the named project.
      const chosen = existing.filter((c) => !services.length || services.includes(serviceOf(c)));
      await Promise.all(
        chosen.filter((c) => c.state !== "running").map((c) => startOne(session.engine, c, progress)),
      );
      return;
    }
    const targets = targetServices(session.project, services);
    const containers = new Map<string, ContainerSummary[]>();
    for (const s of targets)
      containers.set(
        s,
        existing.filter((c) => serviceOf(c) === s),
      );
    const converged: Converged = { services: targets, containers };
    await startProject(
      {
        engine: session.engine,
        project: session.project,
        progress,
        warn: (t) => io.stderr(`WARN[0000] ${t}\n`),
      },
      converged,
      options,
    );
  }).finally(() => lock.release());
}

async function startOne(engine: Engine, c: ContainerSummary, progress: Progress): Promise<void> {
  const { resourceId } = await import("../../project/progress.js");
  const id = resourceId.container(c.names[0] ?? c.id);
  progress.event({ id, text: "Starting", status: "working" });
  await engine.startContainer(c.id);
  progress.event({ id, text: "Started", status: "done" });
}
