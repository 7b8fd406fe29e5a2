// `stop [SERVICE…]`: the reference's (cmd/compose/stop.go, pkg/compose/stop.go, 2.26.1): dependants first,
// every container of each service, stopped ones included (each still reports Stopping / Stopped).
import type { Command } from "commander";
import type { Io } from "../io.js";
import { checkServices, intFlag, projectOrName, withOpsProgress } from "./target.js";

export function registerStop(program: Command, io: Io): void {
  program
    .command("stop")
    .description("Stop services")
    .argument("[services...]")
    .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
    .action(async (services: string[], flags: { timeout?: string }, command: Command) => {
      await runStop(command, io, services, flags.timeout);
    });
}

async function runStop(command: Command, io: Io, services: string[], timeout?: string) {
  const t = intFlag("-t, --timeout", timeout);
  const target = await projectOrName(command, io, services, { plansDryRun: true });
  checkServices(target, services);
  const { stopServices } = await import("../../project/lifecycle.js");
  const { locked } = await import("../project-lock.js");
  await locked(command, io, target.engine, target.name, () =>
    withOpsProgress(command, io, target, "Stopping", (context) =>
      stopServices(context, { services, ...(t !== undefined ? { timeout: t } : {}) }),
    ),
  );
}
