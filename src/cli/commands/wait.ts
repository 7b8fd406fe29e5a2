// `wait SERVICE…`: the reference's (pkg/compose/wait.go, 2.26.1): one line per container as it stops, then
// exits with the status of the last one; --down-project then takes the project down (orphans too).
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerWait(program: Command, io: Io): void {
  program
    .command("wait")
    .description("Block until the first service container stops")
    .argument("<services...>")
    .option("--down-project", "Drops project when the first container stops")
    .action(async (services: string[], flags: { downProject?: boolean }, command: Command) => {
      const { runWait } = await import("./lifecycle-run.js");
      await runWait(command, io, services, flags.downProject === true);
    });
}
