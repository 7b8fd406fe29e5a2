// `scale`: `up` with new replica counts (cmd/compose/scale.go and pkg/compose/scale.go, 2.26).
import type { Command } from "commander";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { runUp } from "./up.js";

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
    .argument("<service=replicas...>")
    .option("--no-deps", "Don't start linked services")
    .action(async (args: string[], flags: { deps?: boolean }, command: Command) => {
      const replicas = parseReplicas(args);
      await runUp(command, io, {
        create: { services: Object.keys(replicas), noDeps: flags.deps === false, scale: replicas },
        start: true,
        detach: true,
        wait: false,
      });
    });
}
