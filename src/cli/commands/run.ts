// `run SERVICE [COMMAND] [ARGS…]`: flags as the reference declares them (cmd/compose/run.go, 2.26). The work at
// the edge: converge and start the dependencies (with progress), create the one-off container, then either
// start it and print its id (-d) or attach the terminal (raw mode and resizes with a TTY; stdout and stderr
// kept apart without one), start it, and exit with its exit code.
import path from "node:path";
import type { Command } from "commander";
import type { Attachment } from "../../project/engine/types.js";
import type { ServicePort, ServiceVolume } from "../../project/load/types.js";
import type { RunOptions } from "../../project/run.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { concurrencyOf } from "./target.js";

/** The one-off container's streams, opened before it starts, and its exit code. */
interface Attached {
  attachment: Attachment;
  exited: Promise<number>;
}

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
      await runRun(command, io, service, args, flags);
    });
}

/** -v and -p entries in the model's long form (the canonical form checked as the loader checks a file's). */
async function longForm(
  field: "volumes",
  entries: string[] | undefined,
  base: string,
): Promise<ServiceVolume[]>;
async function longForm(field: "ports", entries: string[] | undefined, base: string): Promise<ServicePort[]>;
async function longForm(
  field: "volumes" | "ports",
  entries: string[] | undefined,
  base: string,
): Promise<ServiceVolume[] | ServicePort[]> {
  if (!entries?.length) return [];
  const [{ canonicalizeService }, { isMapping }] = await Promise.all([
    import("../../project/load/canonical.js"),
    import("../../project/load/document.js"),
  ]);
  const long = canonicalizeService({ [field]: entries }, []);
  if (long.diagnostics.length) throw new UsageError(long.diagnostics[0]?.message ?? `invalid ${field}`);
  const list = Array.isArray(long.value[field]) ? (long.value[field] as unknown[]).filter(isMapping) : [];
  const out = list.map((v) =>
    field === "volumes" && v.type === "bind" && typeof v.source === "string" && !path.isAbsolute(v.source)
      ? { ...v, source: path.resolve(base, v.source) }
      : v,
  );
  return out as unknown as ServiceVolume[] | ServicePort[];
}

async function runRun(
  command: Command,
  io: Io,
  service: string,
  args: string[],
  flags: RunFlags,
): Promise<void> {
  const [{ splitShellWords }, { progressFor, withProgress }, { lockFor }, { openSession }] =
    await Promise.all([
      import("../../project/load/shellwords.js"),
      import("../progress-output.js"),
      import("../project-lock.js"),
      import("../session.js"),
    ]);
  const dryRun = (command.optsWithGlobals() as { dryRun?: boolean }).dryRun === true;
  const session = await openSession(command, io, { services: [service], plansDryRun: dryRun });
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
    volumes: await longForm("volumes", flags.volume, process.cwd()),
    publish: await longForm("ports", flags.publish, process.cwd()),
    servicePorts: flags.servicePorts === true,
    useAliases: flags.useAliases === true,
    ...(flags.capAdd ? { capAdd: flags.capAdd } : {}),
    ...(flags.capDrop ? { capDrop: flags.capDrop } : {}),
    noDeps: flags.deps === false,
    removeOrphans: flags.removeOrphans === true,
    quietPull: flags.quietPull === true,
    build: flags.build === true,
  };
  if (dryRun) {
    // The plan from engine reads alone: images, dependencies, the one-off container (the reference stops
    // at an interactive run, or fails at a dependency it only pretended to start).
    const [{ showPlan }, { planRun }] = await Promise.all([
      import("../progress-output.js"),
      import("../../project/run.js"),
    ]);
    const plan = await planRun(session.engine, project, options);
    for (const w of plan.warnings) io.stderr(`WARN[0000] ${w}\n`);
    await showPlan(command, io, plan, "Running");
    return;
  }
  const { engine } = session;
  // Attached: the one-off container's streams are opened before it starts (nothing of its output is
  // lost) and read once the progress view has ended.
  let attached: Attached | undefined;
  const beforeStart = options.detach
    ? undefined
    : async (id: string) => {
        const attachment = await engine.attachContainer(id, { stdin: interactive });
        attached = {
          attachment,
          exited: engine.waitContainer(id, options.remove ? "removed" : "next-exit"),
        };
        attached.exited.catch(() => {});
      };
  // The project lock while the dependencies converge and the one-off container is made and started.
  const lock = await lockFor(command, io, engine, project.name);
  const progress = await progressFor(command, io, "Running");
  const { runOneOff } = await import("../../project/run.js");
  const created = await withProgress(progress, () =>
    runOneOff(
      {
        engine,
        project,
        progress,
        warn: (t) => io.stderr(`WARN[0000] ${t}\n`),
        build: async (services) => {
          const { buildForUp } = await import("./build-hook.js");
          return buildForUp(engine, project, services, progress, {
            out: (line) => io.stdout(`${line}\n`),
            parallel: concurrencyOf(command),
          });
        },
      },
      options,
      beforeStart,
    ),
  ).finally(() => lock.release());
  if (!attached) {
    io.stdout(`${created.id}\n`);
    return;
  }
  const { attachment, exited } = attached;
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
