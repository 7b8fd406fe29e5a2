// `cp SERVICE:SRC DEST | SRC SERVICE:DEST`: the reference's (pkg/compose/cp.go, 2.26.1) over the engine's
// archive API: to every container of the service (or --index's), from the first one listed.
import { type Command, Option } from "commander";
import type { Io } from "../main.js";

export interface CpFlags {
  index?: string;
  all?: boolean;
  followLink?: boolean;
  archive?: boolean;
}

export function registerCp(program: Command, io: Io): void {
  program
    .command("cp")
    .description("Copy files/folders between a service container and the local filesystem")
    .argument("<source>")
    .argument("<destination>")
    .option("--index <n>", "Index of the container if service has multiple replicas")
    .addOption(new Option("--all", "Copy to all the containers of the service").hideHelp())
    .option("-L, --follow-link", "Always follow symbol link in SRC_PATH")
    .option("-a, --archive", "Archive mode (copy all uid/gid information)")
    .action(async (source: string, destination: string, flags: CpFlags, command: Command) => {
      const { runCp } = await import("./cp-run.js");
      await runCp(command, io, source, destination, flags);
    });
}
