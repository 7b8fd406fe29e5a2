// `logs --merge` (tcompose's own flag): the containers' lines interleaved in the order the engine stamped
// them, instead of container after container (users sort them themselves: docker/compose#5398, #10377).
// Each container's log is read with timestamps, cut into messages (a frame each; a line each with a TTY),
// and a k-way merge prints the earliest head. A container's queue is bounded: its stream is paused while
// it holds `highWater` messages, so memory stays small whatever the logs' size.
import type {
  ContainerSummary,
  Engine,
  LogData,
  LogOptions,
  LogStream,
  OutputStream,
} from "../../project/engine/types.js";
import { LogPosition, timestampNanos } from "./log-cursor.js";
import { type LineFeed, type LogPrinter, logName } from "./log-printer.js";

export interface LogMessage {
  nanos: bigint;
  stream: OutputStream;
  /** The engine's timestamp and its space, for --timestamps. */
  stamp: string;
  text: Buffer;
}

/** Cuts a log read with timestamps into messages. */
export class MessageSplitter {
  private current: { stream: OutputStream; parts: Buffer[] } | undefined;
  private line: Buffer[] = [];

  constructor(
    private readonly tty: boolean,
    private readonly emit: (message: LogMessage) => void,
  ) {}

  feed: LogData = (stream, chunk, start) => {
    if (this.tty) {
      let rest = chunk;
      for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a)) {
        this.line.push(rest.subarray(0, nl + 1));
        this.message("stdout", Buffer.concat(this.line));
        this.line = [];
        rest = rest.subarray(nl + 1);
      }
      if (rest.length) this.line.push(rest);
      return;
    }
    if (start) this.flushFrame();
    if (start || !this.current) this.current = { stream, parts: [] };
    this.current.parts.push(chunk);
  };

  /** The stream has ended: what is held is the last message. */
  end(): void {
    if (this.tty && this.line.length) this.message("stdout", Buffer.concat(this.line));
    this.line = [];
    this.flushFrame();
  }

  private flushFrame(): void {
    if (this.current) this.message(this.current.stream, Buffer.concat(this.current.parts));
    this.current = undefined;
  }

  private message(stream: OutputStream, data: Buffer): void {
    const space = data.indexOf(0x20);
    const stamp = space < 0 ? "" : data.subarray(0, space).toString("latin1");
    const nanos = timestampNanos(stamp);
    if (nanos === undefined) {
      this.emit({ nanos: 0n, stream, stamp: "", text: data });
      return;
    }
    this.emit({ nanos, stream, stamp: `${stamp} `, text: data.subarray(space + 1) });
  }
}

export interface MergeSource {
  name: string;
  /** The container's id, when the source is one. */
  id?: string;
  tty: boolean;
  /** Starts reading the container's log (with timestamps) into `onData`. */
  open(onData: LogData): Promise<LogStream>;
}

/** One container's messages, waiting to be merged. */
class Queue {
  readonly items: LogMessage[] = [];
  ended = false;
  private wake: (() => void) | undefined;
  private stream: LogStream | undefined;
  private paused = false;

  constructor(private readonly highWater: number) {}

  push(message: LogMessage): void {
    this.items.push(message);
    this.pauseIfFull();
    this.notify();
  }

  /** The stream being read, once open (a message may come before). */
  attach(stream: LogStream): void {
    this.stream = stream;
    this.pauseIfFull();
  }

  private pauseIfFull(): void {
    if (this.items.length < this.highWater || this.paused || !this.stream) return;
    this.paused = true;
    this.stream.pause();
  }

  finish(): void {
    this.ended = true;
    this.notify();
  }

  /** Resolves once the queue has a message or has ended. */
  async ready(): Promise<void> {
    while (this.items.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  shift(): LogMessage | undefined {
    const item = this.items.shift();
    if (this.paused && this.items.length < this.highWater / 2) {
      this.paused = false;
      this.stream?.resume();
    }
    return item;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Reads every source and calls `print` for each message, earliest first (a container's own messages keep
 * their order); ties go to the source listed first.
 */
export async function mergeLogs(
  sources: readonly MergeSource[],
  /** May return a promise (the output's back-pressure): the next message waits for it. */
  print: (source: MergeSource, message: LogMessage) => void | Promise<void>,
  highWater = 1000,
): Promise<void> {
  const queues = sources.map(() => new Queue(highWater));
  await Promise.all(
    sources.map(async (source, i) => {
      const queue = queues[i] as Queue;
      const splitter = new MessageSplitter(source.tty, (m) => queue.push(m));
      const stream = await source.open(splitter.feed);
      queue.attach(stream);
      void stream.done.then(() => {
        splitter.end();
        queue.finish();
      });
    }),
  );
  for (;;) {
    await Promise.all(queues.map((q) => q.ready()));
    let best = -1;
    for (let i = 0; i < queues.length; i++) {
      const head = (queues[i] as Queue).items[0];
      if (!head) continue;
      const current = best < 0 ? undefined : (queues[best] as Queue).items[0];
      if (!current || head.nanos < current.nanos) best = i;
    }
    if (best < 0) return;
    await print(sources[best] as MergeSource, (queues[best] as Queue).shift() as LogMessage);
  }
}

/**
 * The containers' logs (not followed) through the printer, merged; timestamps printed with `timestamps`.
 * Resolves with where each container's log was printed to (by id), for a follow to go on from.
 */
export async function printMerged(
  engine: Engine,
  printer: LogPrinter,
  containers: readonly Pick<ContainerSummary, "id" | "names" | "labels">[],
  options: Omit<LogOptions, "tty" | "follow">,
): Promise<Map<string, LogPosition>> {
  const positions = new Map(containers.map((c) => [c.id, new LogPosition()]));
  const feeds = new Map<string, LineFeed>();
  const feedOf = (name: string, stream: OutputStream) => {
    const key = `${stream}\0${name}`;
    let feed = feeds.get(key);
    if (!feed) {
      feed = printer.feed(name);
      feeds.set(key, feed);
    }
    return feed;
  };
  const sources = await Promise.all(
    containers.map(async (c): Promise<MergeSource> => {
      const { tty } = await engine.inspectContainer(c.id);
      return {
        name: logName(c),
        id: c.id,
        tty,
        open: (onData) =>
          engine.containerLogs(c.id, { ...options, follow: false, timestamps: true, tty }, onData),
      };
    }),
  );
  await mergeLogs(sources, (source, message) => {
    const { name } = source;
    if (message.nanos > 0n) positions.get(source.id ?? "")?.note(message.nanos);
    const feed = feedOf(name, message.stream);
    if (options.timestamps) feed.write(Buffer.from(message.stamp, "latin1"));
    feed.write(message.text);
    return printer.drained();
  });
  for (const feed of feeds.values()) feed.end();
  return positions;
}
