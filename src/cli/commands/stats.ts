// `stats [SERVICE]` (cmd/compose/stats.go, 2.26.1): the docker CLI's `container stats` over the project's
// containers (label com.docker.compose.project, and com.docker.compose.service with a service; one-off
// containers included, an unknown service lists nothing). As docker's RunStats: the containers in the
// engine's listing order, each with its own stats stream; the first frame once every container has given
// a sample (or 2 s passed; 5 s for --no-stream's only frame), then a frame every 500 ms until Ctrl-C
// ("canceled", exit 130). Containers that start meanwhile join (created ones too with --all); without --all
// those that die leave. A container silent for 2 s shows "--". Beyond docker: with --all a removed
// container leaves (docker keeps it as "--"), and one whose stream ended is read again when it restarts.
import type { Command } from "commander";
import type { ContainerStatsSample, Engine, StatsStream } from "../../project/engine/types.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import type { StatsEntry } from "../render/stats.js";

export interface StatsFlags {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format: string;
}

/** docker's wait for a container's sample before it shows "--". */
const silenceMs = 2000;
/**
 * The wait for --no-stream's one sample: the engine takes up to two of its 1 s collection rounds to answer
 * (measured: 2.2 s), which docker's 2 s (plus its 500 ms tick, during which a late sample still counts)
 * barely covers on a busy host.
 */
const oneSampleMs = 5000;
/** docker's refresh period. */
const refreshMs = 500;

export function registerStats(program: Command, io: Io): void {
  program
    .command("stats")
    .description("Display a live stream of container(s) resource usage statistics")
    .argument("[service...]")
    .option(
      "--format <format>",
      "Format output using a custom template (table, table TEMPLATE, json or a Go template)",
      "",
    )
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("--no-stream", "Disable streaming stats and only pull the first result")
    .option("--no-trunc", "Do not truncate output")
    .action(async (services: string[], flags: StatsFlags, command: Command) => {
      // cobra.MaximumNArgs(1), checked before anything is read.
      if (services.length > 1) {
        throw new CliError(`accepts at most 1 arg(s), received ${services.length}`);
      }
      await runStats(services[0], flags, command, io);
    });
}

/** One container followed: its latest entry and its stream. */
class Follower {
  entry: StatsEntry;
  private stream: StatsStream | undefined;
  private silence: NodeJS.Timeout | undefined;
  private closed = false;
  private sampled = false;
  /** Settles at the first sample, failure or silence. */
  readonly first: Promise<void>;
  private firstDone: () => void = () => {};
  ended = false;

  constructor(
    private readonly engine: Engine,
    readonly id: string,
    private readonly live: boolean,
    private readonly view: typeof import("../render/stats.js"),
  ) {
    this.entry = view.emptyEntry(id.slice(0, 12));
    this.first = new Promise((resolve) => {
      this.firstDone = resolve;
    });
    this.open();
  }

  /** (Re)opens the stream: at the start, and when a container whose stream ended starts again. */
  open(): void {
    this.ended = false;
    this.watchSilence();
    this.engine
      .containerStats(this.id, { stream: this.live }, (sample) => this.sample(sample))
      .then(
        (stream) => {
          if (this.closed) return stream.close();
          this.stream = stream;
          void stream.done.then(() => this.end());
        },
        () => this.end(),
      );
  }

  private sample(sample: ContainerStatsSample): void {
    if (this.closed) return;
    this.entry = this.view.entryFromSample(this.entry.container, sample);
    this.sampled = true;
    this.firstDone();
    this.watchSilence();
  }

  /** The stream failed or ended: docker's SetError, every figure shown as "--" (unless one sample was all
   * that was asked for, and came). */
  private end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.stream = undefined;
    if (this.live || !this.sampled) this.entry = { ...this.entry, invalid: true };
    this.firstDone();
  }

  private watchSilence(): void {
    clearTimeout(this.silence);
    if (this.closed) return;
    this.silence = setTimeout(
      () => {
        this.entry = this.view.resetEntry(this.entry);
        this.firstDone();
        if (this.live) this.watchSilence();
      },
      this.live ? silenceMs : oneSampleMs,
    );
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.silence);
    this.stream?.close();
    this.firstDone();
  }
}

async function runStats(
  service: string | undefined,
  flags: StatsFlags,
  command: Command,
  io: Io,
): Promise<void> {
  const [{ nameOnly }, { label }, view] = await Promise.all([
    import("./target.js"),
    import("../../project/labels.js"),
    import("../render/stats.js"),
  ]);
  const { name, engine } = await nameOnly(command, io);
  const filter = { [label.project]: name, ...(service !== undefined ? { [label.service]: service } : {}) };
  const all = Boolean(flags.all);
  const live = flags.stream;
  const followers = new Map<string, Follower>();
  const follow = (id: string) => {
    const known = followers.get(id);
    if (known) {
      if (known.ended) known.open();
      return;
    }
    followers.set(id, new Follower(engine, id, live, view));
  };
  const render = () =>
    view.formatStats(
      flags.format,
      [...followers.values()].map((f) => f.entry),
      flags.trunc,
    );

  let failed: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_resolve, reject) => {
    failed = reject;
  });
  failure.catch(() => {});
  let cancel: () => void = () => {};
  const canceled = new Promise<"canceled">((resolve) => {
    cancel = () => resolve("canceled");
  });
  const ending: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  let subscription: { close(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (live) for (const s of ending) process.on(s, cancel);
  try {
    if (live) {
      // Subscribed before listing, so that no container starting in between is missed.
      subscription = await engine.subscribeEvents(
        { label: filter, type: ["container"], event: ["create", "start", "die", "destroy"] },
        (event) => {
          if (event.action === "start" || (event.action === "create" && all)) follow(event.id);
          else if ((event.action === "die" && !all) || event.action === "destroy") {
            followers.get(event.id)?.close();
            followers.delete(event.id);
          }
        },
        (error) => failed(error),
      );
    }
    const containers = await engine.listContainers(filter, { all });
    for (const c of containers) follow(c.id);
    await Promise.all([...followers.values()].map((f) => f.first));
    if (!live) {
      io.stdout(render());
      return;
    }
    const terminal = process.stdout.isTTY === true;
    // A reader that goes away (`stats | head`) ends the command quietly, as SIGPIPE ends the reference.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(141);
    });
    const frame = () => io.stdout(view.liveFrame(render(), terminal));
    frame();
    const ticking = new Promise<never>((_resolve, reject) => {
      timer = setInterval(() => {
        try {
          frame();
        } catch (error) {
          reject(error);
        }
      }, refreshMs);
    });
    await Promise.race([canceled, failure, ticking]);
    throw new CliError("canceled", 130);
  } catch (error) {
    if (error instanceof CliError && error.message.startsWith("template: ")) {
      throw new CliError(`template parsing error: ${error.message}`);
    }
    throw error;
  } finally {
    clearInterval(timer);
    for (const s of ending) process.off(s, cancel);
    subscription?.close();
    for (const f of followers.values()) f.close();
  }
}
