// `exec SERVICE COMMAND [ARGS…]`: the reference's (cmd/compose/exec.go and docker's RunExec, 2.26.1): a TTY
// unless -T or stdout is not a terminal; stdin always attached; the command's exit code is tcompose's.
import { type Command, Option } from "commander";
import type { Io } from "../main.js";

export interface ExecFlags {
  detach?: boolean;
  env: string[];
  index?: string;
  privileged?: boolean;
  user?: string;
  tty: boolean;
  workdir?: string;
  interactive: boolean;
}

export function registerExec(program: Command, io: Io): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command("exec")
    .description("Execute a command in a running container")
    .argument("<service>")
    .argument("<command...>")
    // Flags after SERVICE belong to the command (cobra's SetInterspersed(false)).
    .passThroughOptions()
    .option("-d, --detach", "Detached mode: Run command in the background")
    .option("-e, --env <KEY=VAL>", "Set environment variables", collect, [])
    .option("--index <n>", "Index of the container if service has multiple replicas")
    .option("--privileged", "Give extended privileges to the process")
    .option("-u, --user <user>", "Run the command as this user")
    .option(
      "-T, --no-TTY",
      "Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.",
    )
    .option("-w, --workdir <dir>", "Path to workdir directory for this command")
    .addOption(
      new Option("-i, --interactive", "Keep STDIN open even if not attached").default(true).hideHelp(),
    )
    .addOption(new Option("-t, --tty", "Allocate a pseudo-TTY").hideHelp())
    .action(
      async (service: string, args: string[], flags: ExecFlags & { TTY?: boolean }, command: Command) => {
        const { runExec } = await import("./exec-run.js");
        // commander names --no-TTY's value "TTY" (true unless -T); like the reference, no TTY by default
        // when stdout is not a terminal.
        await runExec(command, io, service, args, {
          ...flags,
          tty: flags.TTY !== false && process.stdout.isTTY === true,
        });
      },
    );
}
