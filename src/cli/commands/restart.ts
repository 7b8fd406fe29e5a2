// `restart [SERVICE…]`: the reference's (pkg/compose/restart.go, 2.26.1): in dependency order, following
// only depends_on entries with `restart: true`; named services bring their dependants unless --no-deps.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { checkServices, intFlag, projectOrName, withOpsProgress } from "./target.js";

export function registerRestart(program: Command, io: Io): void {
  program
    .command("restart")
    .description("Restart service containers")
    .argument("[services...]")
    .option("--no-deps", "Don't restart dependent services")
    .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
    .action(async (services: string[], flags: { timeout?: string; deps: boolean }, command: Command) => {
      await runRestart(command, io, services, { timeout: flags.timeout, noDeps: flags.deps === false });
    });
}

async function runRestart(
  command: Command,
  io: Io,
  services: string[],
  flags: { timeout?: string | undefined; noDeps: boolean },
) {
  const t = intFlag("-t, --timeout", flags.timeout);
  // The reference loads restart's project without the named services (then enables them).
  const target = await projectOrName(command, io, services, { plansDryRun: true });
  checkServices(target, services);
  const { restartServices } = await import("../../project/lifecycle.js");
  const { locked } = await import("../project-lock.js");
  await locked(command, io, target.engine, target.name, () =>
    withOpsProgress(command, io, target, "Restarting", (context) =>
      restartServices(context, {
        services,
        noDeps: flags.noDeps,
        ...(t !== undefined ? { timeout: t } : {}),
      }),
    ),
  );
}
