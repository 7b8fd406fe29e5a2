// `wait SERVICE…`: the reference's (pkg/compose/wait.go, 2.26.1): one line per container as it stops, then
// exits with the status of the last one; --down-project then takes the project down (orphans too).
import type { Command } from "commander";
import { ExitStatus } from "../errors.js";
import type { Io } from "../io.js";
import { asCliError, nameOnly, withOpsProgress } from "./target.js";

export function registerWait(program: Command, io: Io): void {
  program
    .command("wait")
    .description("Block until the first service container stops")
    .argument("<services...>")
    .option("--down-project", "Drops project when the first container stops")
    .action(async (services: string[], flags: { downProject?: boolean }, command: Command) => {
      await runWait(command, io, services, flags.downProject === true);
    });
}

async function runWait(command: Command, io: Io, services: string[], downProject: boolean) {
  const target = await nameOnly(command, io);
  const { waitServices } = await import("../../project/lifecycle.js");
  let status: number;
  try {
    status = await waitServices(target.engine, target.name, services, (c, code) =>
      io.stdout(`container "${c.id}" exited with status code ${code}\n`),
    );
  } catch (error) {
    throw asCliError(error);
  }
  if (downProject) {
    const { downProject: down } = await import("../../project/down.js");
    const { locked } = await import("../project-lock.js");
    await locked(command, io, target.engine, target.name, () =>
      withOpsProgress(command, io, target, "Running", (context) =>
        down(
          { engine: context.engine, name: context.name, progress: context.progress, warn: io.stderr },
          { removeOrphans: true },
        ),
      ),
    );
  }
  if (status !== 0) throw new ExitStatus(status);
}
