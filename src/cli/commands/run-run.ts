// The work of `run` at the edge: converge and start the dependencies (with progress), create the one-off
// container, then either start it and print its id (-d) or attach the terminal (raw mode and resizes
// with a TTY; stdout and stderr kept apart without one), start it, and exit with its exit code.
import path from "node:path";
import type { Command } from "commander";
import { canonicalizeService } from "../../project/load/canonical.js";
import { isMapping, type Mapping } from "../../project/load/document.js";
import { splitShellWords } from "../../project/load/shellwords.js";
import type { RunOptions } from "../../project/run.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../main.js";
import { progressFor, withProgress } from "../progress-output.js";
import { lockFor } from "../project-lock.js";
import { openSession } from "../session.js";
import type { RunFlags } from "./run.js";
import { concurrencyOf } from "./target.js";

function longForm(field: "volumes" | "ports", entries: string[] | undefined, base: string): Mapping[] {
  if (!entries?.length) return [];
  const long = canonicalizeService({ [field]: entries }, []);
  if (long.diagnostics.length) throw new UsageError(long.diagnostics[0]?.message ?? `invalid ${field}`);
  const list = Array.isArray(long.value[field]) ? (long.value[field] as unknown[]).filter(isMapping) : [];
  return list.map((v) =>
    field === "volumes" && v.type === "bind" && typeof v.source === "string" && !path.isAbsolute(v.source)
      ? { ...v, source: path.resolve(base, v.source) }
      : v,
  );
}

export async function runRun(
  command: Command,
  io: Io,
  service: string,
  args: string[],
  flags: RunFlags,
): Promise<void> {
  const session = await openSession(command, io, { services: [service] });
  const project = session.project;
  if (!project) throw new CliError("no configuration file provided: not found", 14);
  if (!Object.hasOwn((project.model.services ?? {}) as object, service)) {
    throw new CliError(`no such service: ${service}`);
  }
  const labels: Record<string, string> = {};
  for (const l of flags.label ?? []) {
    const at = l.indexOf("=");
    if (at < 0) throw new UsageError("label must be set as KEY=VALUE");
    labels[l.slice(0, at)] = l.slice(at + 1);
  }
  let entrypoint: string[] | undefined;
  if (flags.entrypoint !== undefined) {
    const split = splitShellWords(flags.entrypoint);
    if (!split.ok) throw new UsageError(split.error);
    entrypoint = split.words;
  }
  const tty = flags.TTY === false ? false : flags.tty === true || process.stdout.isTTY === true;
  const interactive = flags.interactive !== false;
  const options: RunOptions = {
    service,
    ...(args.length ? { command: args } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    detach: flags.detach === true,
    remove: flags.rm === true,
    tty,
    interactive,
    ...(flags.user ? { user: flags.user } : {}),
    ...(flags.workdir ? { workdir: flags.workdir } : {}),
    ...(flags.env ? { env: flags.env } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    volumes: longForm("volumes", flags.volume, process.cwd()),
    publish: longForm("ports", flags.publish, process.cwd()),
    servicePorts: flags.servicePorts === true,
    useAliases: flags.useAliases === true,
    ...(flags.capAdd ? { capAdd: flags.capAdd } : {}),
    ...(flags.capDrop ? { capDrop: flags.capDrop } : {}),
    noDeps: flags.deps === false,
    removeOrphans: flags.removeOrphans === true,
    quietPull: flags.quietPull === true,
    build: flags.build === true,
  };
  // The project lock while the dependencies converge and the one-off container is made.
  const lock = await lockFor(command, io, session.engine, project.name);
  const progress = await progressFor(command, io, "Running");
  const { createOneOff } = await import("../../project/run.js");
  const created = await withProgress(progress, () =>
    createOneOff(
      {
        engine: session.engine,
        project,
        progress,
        warn: (t) => io.stderr(`WARN[0000] ${t}\n`),
        build: async (services) => {
          const { buildForUp } = await import("./build-hook.js");
          return buildForUp(session.engine, project, services, progress, {
            out: (line) => io.stdout(`${line}\n`),
            parallel: concurrencyOf(command),
          });
        },
      },
      options,
    ),
  ).finally(() => lock.release());
  const { engine } = session;
  if (options.detach) {
    await engine.startContainer(created.id);
    io.stdout(`${created.id}\n`);
    return;
  }

  const attachment = await engine.attachContainer(created.id, { stdin: interactive });
  const exited = engine.waitContainer(created.id, options.remove ? "removed" : "next-exit");
  const outputDone = new Promise<void>((resolve) => {
    attachment.output.on("end", resolve);
    attachment.output.on("close", resolve);
  });
  if (tty) attachment.output.on("data", (c: Buffer) => process.stdout.write(c));
  else engine.demux(attachment.output, (s, c) => (s === "stderr" ? process.stderr : process.stdout).write(c));

  const stdin = process.stdin;
  const raw = tty && interactive && stdin.isTTY === true;
  const resize = () => {
    if (process.stdout.rows && process.stdout.columns) {
      void engine.resizeContainer(created.id, process.stdout.rows, process.stdout.columns).catch(() => {});
    }
  };
  if (raw) stdin.setRawMode(true);
  if (interactive) {
    stdin.on("data", (c: Buffer) => attachment.input.write(c));
    stdin.on("end", () => {
      (attachment.input as unknown as { end?: () => void }).end?.();
    });
  }
  try {
    await engine.startContainer(created.id);
    if (tty) {
      resize();
      process.stdout.on("resize", resize);
    }
    const code = await exited;
    await Promise.race([outputDone, new Promise((r) => setTimeout(r, 1000))]);
    if (code !== 0) throw new CliError("", code);
  } finally {
    if (raw) stdin.setRawMode(false);
    process.stdout.off("resize", resize);
    stdin.pause();
    stdin.unref?.();
    attachment.close();
  }
}
