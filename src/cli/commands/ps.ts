import type { Command } from "commander";
import type { Io } from "../main.js";

export interface PsFlags {
  format: string;
  filter?: string;
  status: string[];
  quiet?: boolean;
  services?: boolean;
  orphans: boolean;
  all?: boolean;
  trunc: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Go's strconv.ParseBool, for `--orphans=false`. */
export function parseGoBool(value: string | undefined): boolean {
  if (value === undefined) return true;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new Error(`invalid argument "${value}": strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export function registerPs(program: Command, io: Io): void {
  program
    .command("ps")
    .description("List containers")
    .argument("[service...]")
    .option(
      "--format <format>",
      "Format output using a custom template (table, json or a Go template)",
      "table",
    )
    .option("--filter <filter>", "Filter services by a property (supported filters: status)")
    .option(
      "--status <status>",
      "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]",
      collect,
      [],
    )
    .option("-q, --quiet", "Only display IDs")
    .option("--services", "Display services")
    .option("--orphans [bool]", "Include orphaned services (not declared by project)", parseGoBool, true)
    .option("-a, --all", "Show all stopped containers (including those created by the run command)")
    .option("--no-trunc", "Don't truncate output")
    .action(async (services: string[], flags: PsFlags, command: Command) => {
      const { runPs } = await import("./ps-run.js");
      await runPs(services, flags, command, io);
    });
}
