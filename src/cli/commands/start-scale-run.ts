import type { Command } from "commander";
import type { Converged, StartOptions } from "../../project/apply.js";
import type { ContainerSummary } from "../../project/engine/types.js";
import { resourceId } from "../../project/progress.js";
import { projectContainers, serviceOf } from "../../project/state.js";
import type { Io } from "../main.js";
import { progressFor, withProgress } from "../progress-output.js";
import { lockFor } from "../project-lock.js";
import { openSession } from "../session.js";

export async function runStart(
  command: Command,
  io: Io,
  services: string[],
  options: StartOptions,
): Promise<void> {
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

async function startOne(
  engine: import("../../project/engine/types.js").Engine,
  c: ContainerSummary,
  progress: import("../../project/progress.js").Progress,
): Promise<void> {
  const id = resourceId.container(c.names[0] ?? c.id);
  progress.event({ id, text: "Starting", status: "working" });
  await engine.startContainer(c.id);
  progress.event({ id, text: "Started", status: "done" });
}
