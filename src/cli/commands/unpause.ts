// `unpause [SERVICE…]`: the reference's (pkg/compose/pause.go, 2.26.1): one "Unpaused" line per container.
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerUnpause(program: Command, io: Io): void {
  program
    .command("unpause")
    .description("Unpause services")
    .argument("[services...]")
    .action(async (services: string[], _flags: unknown, command: Command) => {
      const { runPause } = await import("./lifecycle-run.js");
      await runPause(command, io, services, true);
    });
}
