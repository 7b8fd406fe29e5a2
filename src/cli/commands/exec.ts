// `exec SERVICE COMMAND [ARGS…]`: the reference's (cmd/compose/exec.go and docker's RunExec, 2.26.1): a TTY
// unless -T or stdout is not a terminal; stdin always attached; the command's exit code is tcompose's.
// The target container as the reference's getSpecifiedContainer picks it, then docker's RunExec: create,
// start hijacked, copy stdin in and output out (raw with a TTY, demultiplexed into stdout/stderr without),
// resize the TTY, read the exit code.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Command, Option } from "commander";
import type { Engine, ExecRequest } from "../../project/engine/types.js";
import { CliError, ExitStatus } from "../errors.js";
import type { Io } from "../io.js";
import { daemonError, intFlag, nameOnly } from "./target.js";

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
        // commander names --no-TTY's value "TTY" (true unless -T); like the reference, no TTY by default
        // when stdout is not a terminal.
        await runExec(command, io, service, args, {
          ...flags,
          tty: flags.TTY !== false && process.stdout.isTTY === true,
        });
      },
    );
}

/** `-e KEY=VAL` as given; `-e KEY` takes KEY's value from the environment, or stays bare (unset). */
export function execEnv(entries: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return entries.map((e) => {
    if (e.includes("=")) return e;
    const value = env[e];
    return value === undefined ? e : `${e}=${value}`;
  });
}

/** docker's own detach keys setting (~/.docker/config.json "detachKeys"), when there is one. */
export function configDetachKeys(): string | undefined {
  const dir = process.env.DOCKER_CONFIG ?? join(homedir(), ".docker");
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { detachKeys?: unknown };
    return typeof config.detachKeys === "string" ? config.detachKeys : undefined;
  } catch {
    return undefined;
  }
}

async function runExec(command: Command, io: Io, service: string, args: string[], flags: ExecFlags) {
  const index = intFlag("--index", flags.index) ?? 0;
  const target = await nameOnly(command, io);
  const { engine } = target;
  const { specifiedContainer } = await import("../../project/state.js");
  const container = await specifiedContainer(engine, target.name, service, {
    oneoff: "include",
    stopped: false,
    ...(index > 0 ? { index } : {}),
  });
  const tty = flags.tty;
  // docker's CheckTty: a TTY with stdin attached needs stdin to be a terminal.
  if (tty && flags.interactive && !flags.detach && !process.stdin.isTTY) {
    throw new CliError("the input device is not a TTY");
  }
  const keys = configDetachKeys();
  const request: ExecRequest = {
    Cmd: args,
    Tty: tty,
    AttachStdin: flags.interactive && !flags.detach,
    AttachStdout: !flags.detach,
    AttachStderr: !flags.detach,
    Env: execEnv(flags.env, process.env),
    ...(flags.user ? { User: flags.user } : {}),
    ...(flags.privileged ? { Privileged: true } : {}),
    ...(flags.workdir ? { WorkingDir: flags.workdir } : {}),
    ...(keys ? { DetachKeys: keys } : {}),
  };
  let code: number;
  try {
    const exec = await engine.createExec(container.id, request);
    if (flags.detach) {
      (await engine.startExec(exec, { tty, stdin: false, detach: true })).close();
      return;
    }
    await stream(engine, exec, tty, flags.interactive);
    const inspected = await engine.inspectExec(exec);
    code = inspected.running ? 0 : (inspected.exitCode ?? 0);
  } catch (error) {
    throw daemonError(error);
  }
  if (code !== 0) throw new ExitStatus(code);
}

async function stream(engine: Engine, exec: string, tty: boolean, interactive: boolean): Promise<void> {
  const attachment = await engine.startExec(exec, { tty, stdin: interactive });
  const stdin = process.stdin;
  const rawBefore = stdin.isTTY ? stdin.isRaw : false;
  const resize = () => {
    const { rows, columns } = process.stdout;
    if (rows && columns) engine.resizeExec(exec, rows, columns).catch(() => {});
  };
  if (tty) {
    if (stdin.isTTY) stdin.setRawMode(true);
    resize();
    process.stdout.on("resize", resize);
    process.on("SIGWINCH", resize);
  }
  const done = new Promise<void>((resolve) => {
    attachment.output.on("end", resolve);
    attachment.output.on("close", resolve);
    attachment.output.on("error", () => resolve());
  });
  if (tty) attachment.output.on("data", (chunk: Buffer) => process.stdout.write(chunk));
  else {
    engine.demux(attachment.output, (kind, chunk) =>
      kind === "stderr" ? process.stderr.write(chunk) : process.stdout.write(chunk),
    );
  }
  if (interactive) {
    // stdin's end half-closes the connection: the command sees EOF (`echo hi | tcompose exec -T web cat`).
    stdin.on("data", (chunk: Buffer) => attachment.input.write(chunk));
    stdin.on("end", () => attachment.input.end());
    stdin.resume();
  }
  try {
    await done;
  } finally {
    if (tty) {
      process.stdout.off("resize", resize);
      process.off("SIGWINCH", resize);
      if (stdin.isTTY) stdin.setRawMode(rawBefore);
    }
    stdin.pause();
    stdin.removeAllListeners("data");
    if (!stdin.isTTY) stdin.destroy();
    attachment.close();
  }
}
