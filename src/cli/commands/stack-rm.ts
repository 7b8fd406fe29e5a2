// `stack rm STACK [STACK...]` (aliases `remove`, `down`): docker 20.10's cli/command/stack/remove.go, with
// docker 28's -d/--detach (default true: do not wait); the work is src/project/stack/remove.ts.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { parseGoBool } from "./target.js";

/** `-d` takes an optional Go bool (`--detach=false`); a word that is none is a stack name given after it. */
function detachValue(value: string | undefined): boolean | string {
  try {
    return parseGoBool(value);
  } catch {
    return value ?? true;
  }
}

export function registerStackRm(stack: Command, io: Io): void {
  stack
    .command("rm")
    .aliases(["remove", "down"])
    .description("Remove one or more stacks")
    .argument("[stack...]")
    .option("-d, --detach [bool]", "Do not wait for stack removal", detachValue, true)
    .action(async (given: string[], flags: { detach: boolean | string }) => {
      const [{ CliError }, { connectEngine }, remove] = await Promise.all([
        import("../errors.js"),
        import("../../project/engine/index.js"),
        import("../../project/stack/remove.js"),
      ]);
      const namespaces = typeof flags.detach === "string" ? [flags.detach, ...given] : given;
      if (namespaces.length === 0) throw new CliError(`"tcompose stack rm" requires at least 1 argument.`);
      for (const namespace of namespaces) {
        const invalid = remove.invalidStackName(namespace);
        if (invalid) throw new CliError(invalid);
      }
      const engine = await connectEngine();
      const failed = await remove.removeStacks(engine, namespaces, io, { wait: flags.detach === false });
      if (failed) throw new CliError(failed);
    });
}
