// Container output, prefixed and coloured the way the reference prints it (cmd/formatter/logs.go and
// colors.go, pkg/compose/logs.go, observed on 2.26.1):
// - each line is "<name padded to the longest name + 1> | <line>", the prefix in the container's colour;
// - colours cycle cyan, yellow, green, magenta, blue, then the same five intense ("36;1" …);
// - a container's exit is announced as "<name> exited with code N", all of it in its colour;
// - both stdout and stderr go to stdout.
// Differences on purpose: names are registered up front (the reference registers them as their first
// line arrives, so its widths and colours depend on timing); lines are buffered per container *and* per
// stream, so a partial stderr line never splices into a stdout one; the reference's "\x1b[2K" before
// every line (printed even into pipes by 2.26.1) is printed only when ANSI output is on.
//
// Memory stays bounded whatever the volume: the engine's frames are split as they arrive (FrameDemuxer),
// lines are cut from each chunk as it comes, the text of one read (all its lines) goes to the sink in one
// write, and when the sink is full every container's stream is paused until it drains. A followed log is
// read to its end even when the engine ends the stream early (log-cursor.ts).
//
// Reusable for `up`'s attached mode: `new LogPrinter(...)`, `register(names)`, then `followContainers`
// (or `printer.stream(name)` over any byte source).
import type {
  ContainerSummary,
  Engine,
  EngineEvent,
  LogData,
  LogOptions,
  LogStream,
  OutputStream,
} from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import { LogCursor, type LogPosition } from "./log-cursor.js";

const palette = ["36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"];

export interface LogSink {
  /** Returns false when the text is buffered beyond the sink's high-water mark (a Node Writable). */
  write(text: string): boolean;
  once?(event: "drain", listener: () => void): unknown;
}

export interface LogPrinterOptions {
  /** Colours (the reference: not --no-color, and --ansi always, or auto with a TTY). */
  color: boolean;
  /** "name | " prefixes (not --no-log-prefix). */
  prefix: boolean;
}

/** Splits one byte stream into lines; the partial last line waits for the next chunk (or `end`). */
export interface LineFeed {
  write(chunk: Buffer): void;
  /** Prints what is left of a last line without its newline, as a line. */
  end(): void;
}

/** Text waiting for its write is flushed at once beyond this many characters. */
const FLUSH_AT = 64 * 1024;

export class LogPrinter {
  private readonly colors = new Map<string, string>();
  /** Lines printed since the last write: flushed after the current read (a microtask), or when large. */
  private pending = "";
  private scheduled = false;
  private readonly prefixes = new Map<string, string>();
  private width = 0;
  private waiting: Promise<void> | undefined;
  private readonly paused = new Set<LogStream>();
  private readonly sources = new Set<LogStream>();

  constructor(
    private readonly sink: LogSink,
    private readonly options: LogPrinterOptions,
  ) {}

  /** Gives names their colour (in call order) and widens every prefix to the longest name. */
  register(...names: string[]): void {
    for (const name of names) {
      if (this.colors.has(name)) continue;
      this.colors.set(name, palette[this.colors.size % palette.length] as string);
      this.width = Math.max(this.width, [...name].length + 1);
    }
    this.prefixes.clear();
  }

  private colored(name: string, text: string): string {
    if (!this.options.color) return text;
    return `\x1b[${this.colors.get(name)}m${text}\x1b[0m`;
  }

  private prefixOf(name: string): string {
    let p = this.prefixes.get(name);
    if (p === undefined) {
      if (!this.colors.has(name)) this.register(name);
      const padded = name + " ".repeat(Math.max(0, this.width - [...name].length));
      p =
        (this.options.color ? "\x1b[2K" : "") +
        (this.options.prefix ? this.colored(name, `${padded} | `) : "");
      this.prefixes.set(name, p);
    }
    return p;
  }

  /** Prints complete lines (without their newlines) of one container. */
  lines(name: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    const prefix = this.prefixOf(name);
    let text = "";
    for (const line of lines) text += `${prefix}${line}\n`;
    this.emit(text);
  }

  /**
   * A line of the watch (the reference's "#watch" logger): after blanks as wide as the names' column and
   * " ⦿ ", in bright green; without prefixes, the bare line. Written at once.
   */
  note(line: string): void {
    const mark = this.options.prefix ? `${" ".repeat(this.width)} ⦿ ` : "";
    const prefix = this.options.color && mark ? `\x1b[2K\x1b[92m${mark}\x1b[0m` : mark;
    this.emit(`${prefix}${line}\n`);
    this.flush();
  }

  /** "<name> exited with code 0", in the container's colour and without prefix; written at once. */
  status(name: string, message: string): void {
    if (!this.colors.has(name)) this.register(name);
    this.emit(this.colored(name, `${name} ${message}\n`));
    this.flush();
  }

  /**
   * A line splitter feeding this printer for `name`: the complete lines of each chunk are printed, a
   * partial last line waits for the rest (only that is held between chunks).
   */
  feed(name: string): LineFeed {
    let partial = "";
    const decoder = new TextDecoder("utf-8");
    return {
      write: (chunk) => {
        const text = decoder.decode(chunk, { stream: true });
        let nl = text.indexOf("\n");
        if (nl < 0) {
          partial += text;
          return;
        }
        const prefix = this.prefixOf(name);
        let out = prefix + partial + text.slice(0, nl + 1);
        let start = nl + 1;
        nl = text.indexOf("\n", start);
        while (nl >= 0) {
          out += prefix + text.slice(start, nl + 1);
          start = nl + 1;
          nl = text.indexOf("\n", start);
        }
        partial = text.slice(start);
        this.emit(out);
      },
      end: () => {
        const rest = partial + decoder.decode();
        partial = "";
        if (rest) this.lines(name, [rest]);
        this.flush();
      },
    };
  }

  /** Streams the printer can pause when the sink is full. */
  track(source: LogStream): () => void {
    this.sources.add(source);
    // A stream that starts while the sink is full waits for its drain like the others.
    if (this.waiting) {
      source.pause();
      this.paused.add(source);
    }
    return () => {
      this.sources.delete(source);
      this.paused.delete(source);
    };
  }

  private emit(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Resolves once the sink can take more (at once unless it is full). */
  drained(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  /** Writes what is pending; when the sink is full, pauses every tracked stream until it drains. */
  flush(): void {
    if (this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    if (this.sink.write(text) || !this.sink.once || this.waiting) return;
    // Back-pressure: stop reading every container until the sink drains.
    for (const s of this.sources) {
      s.pause();
      this.paused.add(s);
    }
    this.waiting = new Promise<void>((resolve) => {
      this.sink.once?.("drain", () => {
        this.waiting = undefined;
        for (const s of this.paused) s.resume();
        this.paused.clear();
        resolve();
      });
    });
  }
}

/** `web-1` for `proj-web-1`; a custom container_name stays whole (getContainerNameWithoutProject). */
export function logName(c: Pick<ContainerSummary, "names" | "labels" | "id">): string {
  const project = c.labels[label.project] ?? "";
  const name = c.names.find((n) => !n.includes("/")) ?? c.names[0] ?? c.id.slice(0, 12);
  const defaultName = `${project}-${c.labels[label.service] ?? ""}-${c.labels[label.containerNumber] ?? ""}`;
  return name === defaultName ? name.slice(project.length + 1) : name;
}

/** Reads one container's logs into the printer; resolves when its stream ends. */
export async function printContainerLogs(
  engine: Engine,
  printer: LogPrinter,
  container: Pick<ContainerSummary, "id" | "names" | "labels">,
  options: Omit<LogOptions, "tty">,
  /** Where another read left the log (`logs --merge -f`): this one goes on from there. */
  position?: LogPosition,
): Promise<void> {
  const details = await engine.inspectContainer(container.id);
  const name = logName(container);
  const out = printer.feed(name);
  const err = printer.feed(name);
  const write = (kind: OutputStream, chunk: Buffer) => (kind === "stderr" ? err : out).write(chunk);
  const read = async (request: LogOptions, onData: LogData) => {
    const stream = await engine.containerLogs(container.id, request, onData);
    const untrack = printer.track(stream);
    try {
      await stream.done;
    } finally {
      untrack();
    }
  };
  try {
    if (!options.follow || details.tty) {
      // A TTY's raw stream has no frames to skip by: it goes on just after the latest message printed.
      const after = position?.after();
      await read({ ...options, ...(after !== undefined ? { since: after } : {}), tty: details.tty }, write);
      return;
    }
    // Followed (frames, no TTY): read with the engine's timestamps, and once the stream ends for a container
    // that stopped, read again what came after the last message printed (log-cursor.ts: Engine 20.10 can
    // end a follow stream early).
    const cursor = new LogCursor(options.timestamps === true, write, position);
    const feed: LogData = (kind, chunk, start) => cursor.feed(kind, chunk, start);
    // A read from where the cursor's position says (its `since` replaces the command's since and tail).
    const request = (follow: boolean, since: string | undefined): LogOptions => {
      const { tail, ...rest } = options;
      const from = since !== undefined ? { since } : tail !== undefined ? { tail } : {};
      return { ...rest, ...from, follow, timestamps: true, tty: false };
    };
    await read(request(true, position ? cursor.catchUp() : undefined), feed);
    const state = await engine.inspectContainer(container.id).then(
      (d) => d.state.status,
      () => undefined,
    );
    if (state === undefined || state === "running" || state === "restarting") return;
    await read(request(false, cursor.catchUp()), feed);
  } finally {
    out.end();
    err.end();
  }
}

export interface FollowOptions {
  project: string;
  /** Only these services' containers (none: all of the project's). */
  services?: readonly string[];
  follow: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** Where `logs --merge` left each container's log (by id): the follow goes on from there. */
  positions?: ReadonlyMap<string, LogPosition>;
}

/**
 * What a container's "die" event means for `logs -f`: its exit code, and whether it comes back (a restart
 * policy). The event is handled a moment after it came (an inspect per event, in order): by then the
 * container may be running again, and its inspected exit code reset: the code is the event's own.
 */
export function afterDie(
  event: Pick<EngineEvent, "attributes">,
  state: { status: string; exitCode: number },
): { restarting: boolean; exitCode: string } {
  return {
    restarting: state.status === "restarting" || state.status === "running",
    exitCode: event.attributes.exitCode ?? String(state.exitCode),
  };
}

/**
 * The reference's Logs: every given container's logs; with `follow`, also the containers of the
 * project (and services) that start or restart meanwhile (engine events), each from its start, until
 * none of the followed containers runs; "<name> exited with code N" when one stops.
 */
export async function followContainers(
  engine: Engine,
  printer: LogPrinter,
  containers: readonly ContainerSummary[],
  options: FollowOptions,
): Promise<void> {
  const base = {
    follow: options.follow,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.timestamps ? { timestamps: true } : {}),
  };
  const readers: Promise<void>[] = [];
  const read = (
    c: Pick<ContainerSummary, "id" | "names" | "labels">,
    since?: string,
    position?: LogPosition,
  ) =>
    readers.push(
      printContainerLogs(
        engine,
        printer,
        c,
        { ...base, ...(since !== undefined ? { since } : {}) },
        position,
      ).catch(() => {}),
    );

  const running = containers.filter((c) => c.state === "running");
  if (!options.follow || running.length === 0) {
    for (const c of containers) read(c, options.since);
    await settled(readers);
    return;
  }

  // Subscribed before the first reads, so a container that stops meanwhile is still seen.
  const watched = new Map<string, number>(containers.map((c) => [c.id, 0]));
  const expected = new Set(running.map((c) => c.id));
  const attached = new Set(running.map((c) => c.id));
  const diedAt = new Map<string, string>();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const queue: EngineEvent[] = [];
  let busy = false;
  const handle = async (event: EngineEvent) => {
    if (event.type !== "container") return;
    const service = event.attributes[label.service] ?? "";
    if (event.attributes[label.oneoff] === "True") return;
    if (options.services?.length && !options.services.includes(service)) return;
    let details: Awaited<ReturnType<Engine["inspectContainer"]>>;
    try {
      details = await engine.inspectContainer(event.id);
    } catch {
      watched.delete(event.id);
      expected.delete(event.id);
      return;
    }
    const summary = { id: details.id, names: [details.name], labels: details.labels };
    const name = logName(summary);
    switch (event.action) {
      case "stop":
        if (watched.has(event.id) && attached.has(event.id)) printer.status(name, "exited with code 0");
        attached.delete(event.id);
        watched.delete(event.id);
        expected.delete(event.id);
        break;
      case "die": {
        watched.set(event.id, (watched.get(event.id) ?? 0) + 1);
        diedAt.set(event.id, sinceOf(event));
        const { restarting, exitCode } = afterDie(event, details.state);
        if (attached.has(event.id)) printer.status(name, `exited with code ${exitCode}`);
        attached.delete(event.id);
        if (!restarting) {
          watched.delete(event.id);
          expected.delete(event.id);
        }
        break;
      }
      case "start": {
        const count = watched.get(event.id);
        if (count === undefined || count > 0) {
          if (count === undefined) expected.add(event.id);
          watched.set(event.id, count ?? 0);
          attached.add(event.id);
          printer.register(name);
          // The reference reads from the start event's time, and so loses the first lines a process
          // writes before the engine reports it started: a new container is read from its beginning, a
          // restarted one from its last exit.
          const since = diedAt.get(event.id) ?? options.since;
          read(summary, since);
        }
        break;
      }
      case "create":
        watched.set(event.id, 1);
        expected.add(event.id);
        break;
    }
  };
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      await handle(queue.shift() as EngineEvent);
      if (expected.size === 0) finish();
    }
    busy = false;
  };
  let ready = false;
  const subscription = await engine.subscribeEvents(
    // No `type` filter: observed on Engine 20.10 here, type=container with a label filter matches nothing.
    { label: { [label.project]: options.project } },
    (event) => {
      queue.push(event);
      if (ready) void pump();
    },
    () => finish(),
  );
  for (const c of containers) read(c, options.since, options.positions?.get(c.id));
  // A container that stopped between the listing and the subscription sends no event any more.
  await Promise.all(
    [...expected].map(async (id) => {
      const state = await engine.inspectContainer(id).then(
        (d) => d.state.status,
        () => "removed",
      );
      if (state !== "running" && state !== "restarting") expected.delete(id);
    }),
  );
  if (expected.size === 0) finish();
  ready = true;
  void pump();
  await finished;
  subscription.close();
  await settled(readers);
}

/** Waits for every reader, including those added while waiting. */
async function settled(readers: Promise<void>[]): Promise<void> {
  let seen = 0;
  while (seen < readers.length) {
    seen = readers.length;
    await Promise.all(readers);
  }
}

/** The event's time as the engine's `since` parameter takes it: "seconds.nanoseconds". */
function sinceOf(event: EngineEvent): string {
  const text = event.timeNanoText.padStart(10, "0");
  return `${text.slice(0, -9)}.${text.slice(-9)}`;
}
