// `pause [SERVICE…]`: the reference's (pkg/compose/pause.go, 2.26.1): running containers, one "Paused" line each;
// `unpause [SERVICE…]`: one "Unpaused" line per container.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { checkServices, projectOrName, withOpsProgress } from "./target.js";

export function registerPause(program: Command, io: Io): void {
  program
    .command("pause")
    .description("Pause services")
    .argument("[services...]")
    .action(async (services: string[], _flags: unknown, command: Command) => {
      await runPause(command, io, services, false);
    });
}

export function registerUnpause(program: Command, io: Io): void {
  program
    .command("unpause")
    .description("Unpause services")
    .argument("[services...]")
    .action(async (services: string[], _flags: unknown, command: Command) => {
      await runPause(command, io, services, true);
    });
}

async function runPause(command: Command, io: Io, services: string[], unpause: boolean) {
  const target = await projectOrName(command, io, services, { plansDryRun: true });
  checkServices(target, services);
  const { pauseServices } = await import("../../project/lifecycle.js");
  await withOpsProgress(command, io, target, unpause ? "Running" : "Pausing", (context) =>
    pauseServices(context, { services, unpause }),
  );
}
