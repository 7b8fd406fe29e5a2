// `stack …`: the Compose file on a Docker Swarm (docker's `docker stack` commands, cli/command/stack of the
// docker CLI 20.10, whose flags, names and output these follow). Each subcommand lives in its own module.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerStackConfig, registerStackDeploy } from "./stack-deploy.js";
import { registerStackLogs } from "./stack-logs.js";
import { registerStackLs, registerStackPs, registerStackServices } from "./stack-read.js";
import { registerStackRm } from "./stack-rm.js";

export function registerStack(program: Command, io: Io): void {
  const stack = program
    .command("stack")
    .description("Manage Swarm stacks (the Compose file on a Docker Swarm)");
  registerStackConfig(stack, io);
  registerStackDeploy(stack, io);
  registerStackLogs(stack, io);
  registerStackLs(stack, io);
  registerStackPs(stack, io);
  registerStackRm(stack, io);
  registerStackServices(stack, io);
}
