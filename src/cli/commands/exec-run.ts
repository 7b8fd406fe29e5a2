// The work behind `exec` (loaded only when it runs): the target container as the reference's
// getSpecifiedContainer picks it, then docker's RunExec: create, start hijacked, copy stdin in and output
// out (raw with a TTY, demultiplexed into stdout/stderr without), resize the TTY, read the exit code.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { ContainerSummary, Engine, ExecRequest } from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import { CliError, ExitStatus } from "../errors.js";
import type { Io } from "../main.js";
import type { ExecFlags } from "./exec.js";
import { daemonError, intFlag, nameOnly } from "./target.js";

/**
 * The service's running container (one-offs included) with the lowest number, or the one numbered
 * `index`; the reference's messages when there is none.
 */
export async function execTarget(
  engine: Engine,
  project: string,
  service: string,
  index: number,
  stopped = false,
  oneoff: "include" | "exclude" = "include",
): Promise<ContainerSummary> {
  const filter: Record<string, string | true> = {
    [label.project]: project,
    [label.service]: service,
    [label.configHash]: true,
  };
  if (oneoff === "exclude") filter[label.oneoff] = "False";
  if (index > 0) filter[label.containerNumber] = String(index);
  const listed = await engine.listContainers(filter, { all: stopped });
  if (listed.length === 0) {
    throw new CliError(
      index > 0
        ? `service "${service}" is not running container #${index}`
        : `service "${service}" is not running`,
    );
  }
  const number = (c: ContainerSummary) => Number.parseInt(c.labels[label.containerNumber] ?? "0", 10) || 0;
  return [...listed].sort((a, b) => number(a) - number(b))[0] as ContainerSummary;
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
function detachKeys(): string | undefined {
  const dir = process.env.DOCKER_CONFIG ?? join(homedir(), ".docker");
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { detachKeys?: unknown };
    return typeof config.detachKeys === "string" ? config.detachKeys : undefined;
  } catch {
    return undefined;
  }
}

export async function runExec(command: Command, io: Io, service: string, args: string[], flags: ExecFlags) {
  const index = intFlag("index", flags.index) ?? 0;
  const target = await nameOnly(command, io);
  const { engine } = target;
  const container = await execTarget(engine, target.name, service, index);
  const tty = flags.tty;
  // docker's CheckTty: a TTY with stdin attached needs stdin to be a terminal.
  if (tty && flags.interactive && !flags.detach && !process.stdin.isTTY) {
    throw new CliError("the input device is not a TTY");
  }
  const keys = detachKeys();
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
