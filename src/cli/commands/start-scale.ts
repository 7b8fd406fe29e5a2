// `start` and `scale`: the start phase of `up` on containers that already exist, and `up` with new
// replica counts (cmd/compose/start.go, scale.go and pkg/compose/scale.go, 2.26).
import type { Command } from "commander";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../main.js";

export function registerStart(program: Command, io: Io): void {
  program
    .command("start")
    .description("Start services")
    .argument("[service...]")
    .option("--wait", "Wait for services to be running|healthy")
    .option("--wait-timeout <seconds>", "Maximum duration to wait for the project to be running|healthy")
    .action(async (services: string[], flags: { wait?: boolean; waitTimeout?: string }, command: Command) => {
      const { runStart } = await import("./start-scale-run.js");
      const timeout = flags.waitTimeout === undefined ? undefined : Number(flags.waitTimeout);
      if (timeout !== undefined && !Number.isInteger(timeout)) {
        throw new UsageError(`invalid argument "${flags.waitTimeout}" for "--wait-timeout" flag`);
      }
      await runStart(command, io, services, {
        wait: flags.wait === true,
        ...(timeout !== undefined ? { waitTimeout: timeout * 1000 } : {}),
      });
    });
}

/** `svc=N` arguments, with the reference's messages. */
export function parseReplicas(args: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const arg of args) {
    const at = arg.indexOf("=");
    const key = at < 0 ? "" : arg.slice(0, at);
    const value = at < 0 ? "" : arg.slice(at + 1);
    if (!key || !value) throw new CliError(`invalid scale specifier: ${arg}`);
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new CliError(`invalid scale specifier: can't parse replica value as int: ${arg}`);
    }
    out[key] = n;
  }
  return out;
}

export function registerScale(program: Command, io: Io): void {
  program
    .command("scale")
    .description("Scale services")
    .argument("[service=replicas...]")
    .option("--no-deps", "Don't start linked services")
    .action(async (args: string[], flags: { deps?: boolean }, command: Command) => {
      const replicas = parseReplicas(args);
      const { runUp } = await import("./up-run.js");
      await runUp(command, io, {
        create: { services: Object.keys(replicas), noDeps: flags.deps === false, scale: replicas },
        start: true,
        detach: true,
        wait: false,
      });
    });
}
