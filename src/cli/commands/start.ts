// `start`: the start phase of `up` on containers that already exist (cmd/compose/start.go, 2.26); without a
// compose file, every stopped container of the named project.
import type { Command } from "commander";
import type { StartOptions } from "../../project/apply.js";
import type { Io } from "../io.js";
import { intFlag } from "./target.js";

export function registerStart(program: Command, io: Io): void {
  program
    .command("start")
    .description("Start services")
    .argument("[service...]")
    .option("--wait", "Wait for services to be running|healthy")
    .option("--wait-timeout <seconds>", "Maximum duration to wait for the project to be running|healthy")
    .action(async (services: string[], flags: { wait?: boolean; waitTimeout?: string }, command: Command) => {
      const timeout = intFlag("--wait-timeout", flags.waitTimeout);
      await runStart(command, io, services, {
        wait: flags.wait === true,
        ...(timeout !== undefined ? { waitTimeout: timeout * 1000 } : {}),
      });
    });
}

async function runStart(command: Command, io: Io, services: string[], options: StartOptions): Promise<void> {
  const [{ progressFor, withProgress }, { lockFor }, { isDryRun, projectOrName }] = await Promise.all([
    import("../progress-output.js"),
    import("../project-lock.js"),
    import("./target.js"),
  ]);
  const dryRun = isDryRun(command);
  // With -p and no -f the files are not read: the project is the containers' (as the reference's start).
  const session = await projectOrName(command, io, services, { plansDryRun: true });
  const lock = await lockFor(command, io, session.engine, session.name);
  const progress = await progressFor(command, io, "Running");
  const { startServices } = await import("../../project/lifecycle.js");
  await withProgress(progress, () =>
    startServices(
      {
        engine: session.engine,
        name: session.name,
        ...(session.project ? { project: session.project } : {}),
        progress,
        ...(dryRun ? { dryRun: true } : {}),
        warn: (t) => io.stderr(`WARN[0000] ${t}\n`),
      },
      { ...options, services },
    ),
  ).finally(() => lock.release());
}
