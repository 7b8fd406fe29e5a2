// `attach SERVICE`: the terminal's streams joined to a service's running container (cmd/compose/attach.go
// and pkg/compose/attach_service.go, 2.26, which run the docker CLI's `docker attach`): stdin when the
// container keeps it open (unless --no-stdin), raw mode and resizes with a TTY, signals forwarded without
// one (--sig-proxy, default true), detach keys (--detach-keys, else docker's config); the exit code is the
// container's when it stops while attached, 0 when the user detaches.
import type { Command } from "commander";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { configDetachKeys } from "./exec.js";
import { intFlag, nameOnly, parseGoBool } from "./target.js";

interface AttachFlags {
  detachKeys?: string;
  index?: string;
  stdin?: boolean;
  sigProxy?: boolean;
}

/**
 * The signals passed on to the container (docker's ForwardAllSignals). SIGINT and SIGTERM are not: as the
 * reference (observed on 2.26.1), they end `attach` itself ("canceled", exit 130), the container running on.
 */
const forwarded: NodeJS.Signals[] = ["SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];
const ending: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export function registerAttach(program: Command, io: Io): void {
  program
    .command("attach")
    .description("Attach local standard input, output, and error streams to a service's running container")
    .argument("<service>")
    .option("--detach-keys <keys>", "Override the key sequence for detaching from a container.")
    .option("--index <index>", "index of the container if service has multiple replicas.")
    .option("--no-stdin", "Do not attach STDIN")
    .option(
      "--sig-proxy [bool]",
      "Proxy all received signals to the process (default true)",
      parseGoBool,
      true,
    )
    .action(async (service: string, flags: AttachFlags, command: Command) => {
      const index = intFlag("--index", flags.index) ?? 0;
      await runAttach(command, io, service, { ...flags, index, sigProxy: flags.sigProxy !== false });
    });
}

async function runAttach(
  command: Command,
  io: Io,
  service: string,
  options: { detachKeys?: string; index: number; stdin?: boolean; sigProxy: boolean },
): Promise<void> {
  const { engine, name } = await nameOnly(command, io);
  const { specifiedContainer } = await import("../../project/state.js");
  const target = await specifiedContainer(engine, name, service, {
    oneoff: "include",
    stopped: false,
    ...(options.index > 0 ? { index: options.index } : {}),
  });
  const details = await engine.inspectContainer(target.id);
  const config = (details.raw.Config ?? {}) as { OpenStdin?: boolean };
  const state = (details.raw.State ?? {}) as { Paused?: boolean; Restarting?: boolean };
  // docker attach's refusals, in its words.
  if (!details.state.running) throw new CliError("You cannot attach to a stopped container, start it first");
  if (state.Paused) throw new CliError("You cannot attach to a paused container, unpause it first");
  if (state.Restarting)
    throw new CliError("You cannot attach to a restarting container, wait until it is running");
  const tty = details.tty;
  const withStdin = config.OpenStdin === true && options.stdin !== false;
  const stdin = process.stdin;
  if (tty && withStdin && !stdin.isTTY) throw new CliError("the input device is not a TTY");
  const detachKeys = options.detachKeys ?? configDetachKeys();
  const attachment = await engine.attachContainer(target.id, {
    stdin: withStdin,
    ...(detachKeys ? { detachKeys } : {}),
  });
  const outputDone = new Promise<void>((resolve) => {
    attachment.output.on("end", resolve);
    attachment.output.on("close", resolve);
    attachment.output.on("error", () => resolve());
  });
  if (tty) attachment.output.on("data", (c: Buffer) => process.stdout.write(c));
  else engine.demux(attachment.output, (s, c) => (s === "stderr" ? process.stderr : process.stdout).write(c));

  const raw = tty && withStdin && stdin.isTTY === true;
  const resize = () => {
    if (process.stdout.rows && process.stdout.columns) {
      void engine.resizeContainer(target.id, process.stdout.rows, process.stdout.columns).catch(() => {});
    }
  };
  const proxy = (signal: NodeJS.Signals) => {
    void engine.killContainer(target.id, signal).catch(() => {});
  };
  const proxying = options.sigProxy && !tty;
  if (proxying) for (const s of forwarded) process.on(s, proxy);
  let cancel: () => void = () => {};
  const canceled = new Promise<"canceled">((resolve) => {
    cancel = () => resolve("canceled");
  });
  for (const s of ending) process.on(s, cancel);
  if (raw) stdin.setRawMode(true);
  if (withStdin) {
    stdin.on("data", (c: Buffer) => attachment.input.write(c));
    stdin.on("end", () => (attachment.input as unknown as { end?: () => void }).end?.());
  }
  if (tty) {
    resize();
    process.stdout.on("resize", resize);
  }
  try {
    if ((await Promise.race([outputDone, canceled])) === "canceled") throw new CliError("canceled", 130);
    // The stream ends when the container stops, or when the user detached (it is still running).
    // (Waited for only now: a pending wait would keep the process alive after a detach.)
    const current = await engine.inspectContainer(target.id);
    if (current.state.running) return;
    const code = await engine.waitContainer(target.id, "not-running");
    if (code !== 0) throw new CliError("", code);
  } finally {
    if (proxying) for (const s of forwarded) process.off(s, proxy);
    for (const s of ending) process.off(s, cancel);
    if (raw) stdin.setRawMode(false);
    process.stdout.off("resize", resize);
    stdin.pause();
    stdin.unref?.();
    attachment.close();
  }
}
