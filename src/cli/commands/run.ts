// `run SERVICE [COMMAND] [ARGS…]`: flags as the reference declares them (cmd/compose/run.go, 2.26).
import type { Command } from "commander";
import type { Io } from "../main.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export interface RunFlags {
  detach?: boolean;
  env?: string[];
  label?: string[];
  rm?: boolean;
  TTY?: boolean;
  tty?: boolean;
  interactive?: boolean;
  name?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  capAdd?: string[];
  capDrop?: string[];
  deps?: boolean;
  volume?: string[];
  publish?: string[];
  useAliases?: boolean;
  servicePorts?: boolean;
  quietPull?: boolean;
  build?: boolean;
  removeOrphans?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  program
    .command("run")
    .description("Run a one-off command on a service")
    .argument("<service>")
    .argument("[command...]")
    .passThroughOptions()
    .option("-d, --detach", "Run container in background and print container ID")
    .option("-e, --env <KEY=VAL>", "Set environment variables", collect)
    .option("-l, --label <KEY=VAL>", "Add or override a label", collect)
    .option("--rm", "Automatically remove the container when it exits")
    .option("-T, --no-TTY", "Disable pseudo-TTY allocation (default: auto-detected)")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-i, --interactive", "Keep STDIN open even if not attached (default true)")
    .option("--name <name>", "Assign a name to the container")
    .option("-u, --user <user>", "Run as specified username or uid")
    .option("-w, --workdir <dir>", "Working directory inside the container")
    .option("--entrypoint <cmd>", "Override the entrypoint of the image")
    .option("--cap-add <cap>", "Add Linux capabilities", collect)
    .option("--cap-drop <cap>", "Drop Linux capabilities", collect)
    .option("--no-deps", "Don't start linked services")
    .option("-v, --volume <volume>", "Bind mount a volume", collect)
    .option("-p, --publish <port>", "Publish a container's port(s) to the host", collect)
    .option(
      "--use-aliases",
      "Use the service's network useAliases in the network(s) the container connects to",
    )
    .option("-P, --service-ports", "Run command with all service's ports enabled and mapped to the host")
    .option("--quiet-pull", "Pull without printing progress information")
    .option("--build", "Build image before starting container")
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .action(async (service: string, args: string[], flags: RunFlags, command: Command) => {
      const { runRun } = await import("./run-run.js");
      await runRun(command, io, service, args, flags);
    });
}
