// BuildKit progress as the reference prints it with `--progress plain`: Docker Compose 2.26 hands every
// service's build to buildx 0.13, which renames each vertex with the service (`[internal] load …` →
// `[web internal] load …`, `exporting to image` → `[web] exporting to image`) and feeds all services into
// ONE buildkit progressui plain display, so the `#N` numbers are shared and a vertex with the same digest in
// two services (a common `FROM`, `exporting to image`) is one `#N`, named after the service that sent it
// last. The reference writes it all to stdout. Observed (reference with buildx 0.13.1 on Engine 20.10):
//
//   #1 [web internal] load build definition from Dockerfile      vertex header, once per block
//   #1 transferring dockerfile: 184B done                        statuses: ID, bytes, time, " done"
//   #1 DONE 0.0s                                                 or `#N CACHED`, `#N ERROR: <error>`,
//                                                                `#N CANCELED` (error ending "context canceled")
//   (blank line between blocks)
//   #10 [web 4/5] RUN …                                          a block left unfinished for another ends
//   #10 0.504 line one                                           `#N ...`; it comes back with its header again
//   ------                                                       at the end, per failed vertex in start order:
//    > [web 2/3] RUN … exit 3:                                   its name, then its last 10 log lines
//   0.453 out 3                                                  with their times
//   ------
//
// Facts from buildkit's util/progress/progressui (display.go, printer.go, v0.13): a log line is prefixed with
// the seconds since the vertex's latest start, 3 decimals under 10 s, 2 under 100 s, else 1; a status line
// shows `current / total` or `current` in decimal units (`184B`, `1.23kB`), the seconds between its start and
// its completion (or its timestamp) when over 0.01, and " done" once completed; a status still running is
// printed again only after 5% more progress or 5 s; DONE's time is the sum of the vertex's merged run
// intervals. Completed vertices print first (in order of completion), then the one in progress. Vertices
// of a progress group print as one vertex named after the group.
//
// Where progressui uses the wall clock (which running vertex to show, when to switch) this printer uses the
// trace's own timestamps, so a recorded stream always prints the same. The reference's first line,
// `#0 building with "default" instance using docker driver`, is buildx's (it names buildx's builder
// instance and driver); tcompose talks to the engine without buildx, so it should not print it (`desc` can
// add such a line, for comparisons).

import type { ProgressEvent } from "../progress.js";
import type { BuildStatus, Vertex, VertexStatus, VertexWarning } from "./trace.js";

/** Log lines kept per vertex for the failure summary (progressui's logsBufferSize). */
const LOG_TAIL = 10;
/** A running status is printed again after this share of its total … */
const MIN_PROGRESS_DELTA = 0.05;
/** … or after this many ms. */
const MIN_TIME_DELTA = 5000;
/** The running vertex gets this long (ms, weighted by its share of updates) before another is shown. */
const ANTI_FLICKER = 5000;
/** A vertex waiting longer than this (ms) is shown. */
const MAX_DELAY = 10_000;

/** The name buildx gives a vertex of a service's build. */
export function serviceVertexName(service: string, name: string): string {
  return name.startsWith("[") ? `[${service} ${name.slice(1)}` : `[${service}] ${name}`;
}

interface Interval {
  start: number;
  stop?: number;
}

interface VertexState {
  digest: string;
  vertex: Vertex;
  prev?: Vertex;
  /** `#N`, 0 until first printed. */
  index: number;
  intervals: Map<number, Interval>;
  merged: Interval[];
  /** Statuses in the order they started; byId holds each one's latest message. */
  statuses: string[];
  byId: Map<string, VertexStatus>;
  statusUpdates: Set<string>;
  warnings: VertexWarning[];
  warningIdx: number;
  /** Log lines ("<seconds> <text>") not printed yet; the last one partial when logsPartial. */
  logs: string[];
  logsPartial: boolean;
  logsOffset: number;
  /** The last LOG_TAIL printed lines, a ring as progressui keeps it (tailPos the next slot). */
  tail: (string | undefined)[];
  tailPos: number;
  /** The same lines without times, for failure(). */
  rawTail: string[];
  rawPartial: boolean;
  count: number;
  lastBlockTime?: number;
  /** In a progress group: printed as the group's vertex. */
  grouped: boolean;
  /** A group none of whose non-weak members has started. */
  hidden: boolean;
  /** For a group's vertex: its members. */
  members?: Map<string, Vertex>;
  /** Services whose build sent this vertex, with the name each gave it. */
  names: Map<string, string>;
}

/** What failed in one service's build: for the error message (service, step, exit code, last lines). */
export interface BuildkitFailure {
  service: string;
  /** The vertex's name as printed, e.g. `[web 2/3] RUN exit 3`. */
  step: string;
  /** BuildKit's error, e.g. `executor failed running [/bin/sh -c exit 3]: exit code: 3`. */
  error: string;
  /** The exit code named in the error, when a process failed. */
  exitCode?: number;
  /** The step's last output lines (at most 10), without times. */
  logs: string[];
}

export interface BuildkitPrinterOptions {
  /** A first `#0 <desc>` line, as buildx prints `building with "default" instance using docker driver`. */
  desc?: string;
}

function mergeIntervals(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  let cur = sorted[0];
  if (!cur) return merged;
  for (const next of sorted.slice(1)) {
    if (cur.stop === undefined) break;
    if (cur.stop < next.start) {
      merged.push(cur);
      cur = next;
      continue;
    }
    if (next.stop === undefined) {
      cur = { start: cur.start };
      break;
    }
    if (cur.stop >= next.stop) continue;
    cur = { start: cur.start, stop: next.stop };
  }
  merged.push(cur);
  return merged;
}

/** A byte count as progressui prints it (tonistiigi/units `%.2f`): `184B`, `1.23kB`, `4.50MB`. */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  let base = 1;
  let i = 0;
  while (Math.abs(n) >= base * 1000 && i < units.length - 1) {
    base *= 1000;
    i++;
  }
  return i === 0 ? `${n}B` : `${(n / base).toFixed(2)}${units[i]}`;
}

/** Seconds since a vertex started as a log line starts: `0.453`, `12.35`, `123.4`. */
export function logTime(seconds: number): string {
  return seconds.toFixed(seconds < 10 ? 3 : seconds < 100 ? 2 : 1);
}

const CANCELED = "context canceled";
/** progressui's display rate (ms) and the refresh after the last message. */
const RATE = 100;
const TICK = 150;

/** The latest time a StatusResponse mentions (0 when none). */
function latestTime(status: BuildStatus): number {
  let t = 0;
  for (const v of status.vertexes) t = Math.max(t, v.started ?? 0, v.completed ?? 0);
  for (const s of status.statuses) t = Math.max(t, s.timestamp ?? 0, s.completed ?? 0);
  for (const l of status.logs) t = Math.max(t, l.timestamp ?? 0);
  return t;
}

/**
 * The reference's `--progress plain` BuildKit output for the builds of several services at once. Feed it
 * every decoded `moby.buildkit.trace` message with `update`, call `finish` once at the end (it prints what
 * is left and the summary of failed steps). `write` gets whole lines, without their "\n".
 */
export class BuildkitPrinter {
  private readonly byDigest = new Map<string, VertexState>();
  /** Vertices in the order they started (the failure summary's order). */
  private readonly started: VertexState[] = [];
  /** Vertices changed since last printed, in the order they changed. */
  private readonly updates = new Set<string>();
  private readonly groups = new Map<string, VertexState>();
  /** The last printed state of each status ID (progressui keys them by ID alone). */
  private readonly last = new Map<string, { current: number; timestamp: number }>();
  private active = "";
  private notFirst = false;
  private nextIndex = 0;
  /** The latest time met in the trace (ms): the printer's clock. */
  private clock = 0;
  private partialLine = "";
  /** Changes not printed yet (the rate limit held them back); when the trace last changed and printed. */
  private pending = false;
  private lastUpdate = 0;
  private lastPrint: number | undefined;
  private finished = false;

  constructor(
    private readonly write: (line: string) => void,
    private readonly options: BuildkitPrinterOptions = {},
  ) {}

  /** One StatusResponse of `service`'s build: updates the trace and prints what is due. */
  update(service: string, status: BuildStatus): void {
    // progressui prints at most every 100 ms, and 150 ms after the last message when none follows
    const time = Math.max(this.clock, latestTime(status));
    if (this.pending && time - this.lastUpdate >= TICK) this.print();
    this.apply(service, status);
    this.lastUpdate = this.clock;
    if (this.lastPrint === undefined || this.clock - this.lastPrint >= RATE) {
      this.lastPrint = this.clock;
      this.print();
    } else {
      this.pending = true;
    }
  }

  /** Prints what is left (pending logs, completions) and the summary of the failed steps. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.print();
    for (const v of this.started) {
      if (!v.vertex.error || v.vertex.error.endsWith(CANCELED)) continue;
      this.out("------\n");
      this.out(` > ${v.vertex.name}:\n`);
      for (const l of v.logs) this.out(`${l}\n`);
      for (let i = 0; i < LOG_TAIL; i++) {
        const l = v.tail[(v.tailPos + i) % LOG_TAIL];
        if (l !== undefined) this.out(`${l}\n`);
      }
      this.out("------\n");
    }
    if (this.partialLine) this.out("\n");
  }

  /** The first step of `service`'s build that failed (not canceled), or undefined. */
  failure(service: string): BuildkitFailure | undefined {
    for (const v of this.started) {
      const name = v.names.get(service);
      const error = v.vertex.error;
      if (name === undefined || !error || error.endsWith(CANCELED)) continue;
      const code = /exit code: (\d+)/.exec(error);
      const failure: BuildkitFailure = { service, step: name, error, logs: [...v.rawTail] };
      if (code) failure.exitCode = Number(code[1]);
      return failure;
    }
    return undefined;
  }

  /** The step `service`'s build runs now, for a live view: `[web 2/3] RUN pip install…` (cut to maxLength). */
  current(service: string, maxLength = 60): string | undefined {
    let found: VertexState | undefined;
    for (const v of this.started) {
      if (!v.names.has(service) || v.grouped || !this.isStarted(v) || this.isCompleted(v)) continue;
      if (!found || (v.merged.at(-1)?.start ?? 0) >= (found.merged.at(-1)?.start ?? 0)) found = v;
    }
    if (!found) return undefined;
    const name = found.names.get(service) ?? found.vertex.name;
    return name.length > maxLength ? `${name.slice(0, maxLength - 1)}…` : name;
  }

  // ------------------------------------------------------------------------------------------- the trace

  private tick(time: number | undefined): void {
    if (time !== undefined && time > this.clock) this.clock = time;
  }

  private newState(digest: string, vertex: Vertex): VertexState {
    return {
      digest,
      vertex,
      index: 0,
      intervals: new Map(),
      merged: [],
      statuses: [],
      byId: new Map(),
      statusUpdates: new Set(),
      warnings: [],
      warningIdx: 0,
      logs: [],
      logsPartial: false,
      logsOffset: 0,
      tail: new Array(LOG_TAIL).fill(undefined),
      tailPos: 0,
      rawTail: [],
      rawPartial: false,
      count: 0,
      grouped: false,
      hidden: false,
      names: new Map(),
    };
  }

  private bump(v: VertexState): void {
    if (v.count === 0) v.lastBlockTime = this.clock;
    v.count++;
  }

  private isStarted(v: VertexState): boolean {
    return v.merged.length > 0;
  }

  private isCompleted(v: VertexState): boolean {
    const last = v.merged.at(-1);
    return last !== undefined && last.stop !== undefined;
  }

  private apply(service: string, status: BuildStatus): void {
    this.tick(latestTime(status));

    const touchedGroups: string[] = [];
    for (const raw of status.vertexes) {
      const vertex: Vertex = { ...raw, name: serviceVertexName(service, raw.name) };
      const group = vertex.progressGroup;
      if (group) {
        let g = this.groups.get(group.id);
        if (!g) {
          g = this.newState(group.id, {
            digest: group.id,
            inputs: [],
            name: group.name,
            cached: false,
            error: "",
          });
          g.hidden = true;
          g.members = new Map();
          this.groups.set(group.id, g);
          this.byDigest.set(group.id, g);
        }
        if (!touchedGroups.includes(group.id)) touchedGroups.push(group.id);
        g.members?.set(vertex.digest, vertex);
        g.names.set(service, group.name);
        let member = this.byDigest.get(vertex.digest);
        if (!member) {
          member = this.newState(vertex.digest, vertex);
          this.byDigest.set(vertex.digest, member);
        }
        member.grouped = true;
        member.vertex = vertex;
        member.names.set(service, vertex.name);
        continue;
      }
      let v = this.byDigest.get(vertex.digest);
      const wasStarted = v !== undefined && this.isStarted(v);
      if (!v) {
        v = this.newState(vertex.digest, vertex);
        this.byDigest.set(vertex.digest, v);
      }
      v.names.set(service, vertex.name);
      this.vertexEvent(v, vertex);
      if (vertex.started !== undefined && !wasStarted) this.started.push(v);
      // a repeated vertex that has not started does not reset one that has
      if (!(wasStarted && vertex.started === undefined)) v.vertex = vertex;
      if (vertex.started !== undefined) {
        v.intervals.set(vertex.started, { start: vertex.started, stop: vertex.completed });
        v.merged = mergeIntervals(v.intervals.values());
      }
    }
    for (const id of touchedGroups) {
      const g = this.groups.get(id);
      if (g) this.refreshGroup(g);
    }
    for (const s of status.statuses) {
      const v = this.byDigest.get(s.vertex);
      if (!v) continue;
      const target = v.grouped ? this.groupOf(v) : v;
      if (!target) continue;
      const prev = target.byId.get(s.id);
      if (s.started !== undefined && (prev === undefined || prev.started === undefined))
        target.statuses.push(s.id);
      target.byId.set(s.id, s);
      target.statusUpdates.add(s.id);
      this.updates.add(target.digest);
      this.bump(target);
    }
    for (const w of status.warnings) {
      const found = this.byDigest.get(w.vertex);
      if (!found) continue;
      const v = (found.grouped ? this.groupOf(found) : found) ?? found;
      v.warnings.push(w);
      this.bump(v);
    }
    for (const l of status.logs) {
      const found = this.byDigest.get(l.vertex);
      if (!found) continue;
      const v = (found.grouped ? this.groupOf(found) : found) ?? found;
      const data = Buffer.from(l.data).toString("utf8");
      if (data === "") continue;
      const pieces = data.split("\n");
      const complete = data.endsWith("\n");
      if (complete) pieces.pop();
      pieces.forEach((piece, i) => {
        if (v.logsPartial && v.logs.length > 0 && i === 0) {
          v.logs[v.logs.length - 1] += piece;
        } else {
          const start = v.merged.at(-1)?.start;
          const seconds = start !== undefined && l.timestamp !== undefined ? (l.timestamp - start) / 1000 : 0;
          v.logs.push(`${logTime(seconds)} ${piece}`);
        }
        if (v.rawPartial && i === 0 && v.rawTail.length > 0) {
          v.rawTail[v.rawTail.length - 1] += piece;
        } else {
          v.rawTail.push(piece);
          if (v.rawTail.length > LOG_TAIL) v.rawTail.shift();
        }
      });
      v.logsPartial = !complete;
      v.rawPartial = !complete;
      this.updates.add(v.digest);
      this.bump(v);
    }
  }

  private groupOf(member: VertexState): VertexState | undefined {
    const id = member.vertex.progressGroup?.id;
    return id === undefined ? undefined : this.groups.get(id);
  }

  /** Marks a vertex changed when its message says something new (progressui's triggerVertexEvent). */
  private vertexEvent(v: VertexState, vertex: Vertex): void {
    if (vertex.started === undefined) return;
    const old = v.prev;
    const changed =
      old === undefined ||
      vertex.digest !== old.digest ||
      vertex.name !== old.name ||
      vertex.started !== old.started ||
      (vertex.completed !== undefined && vertex.completed !== old.completed) ||
      vertex.cached !== old.cached ||
      vertex.error !== old.error;
    if (changed) {
      this.bump(v);
      this.updates.add(v.digest);
    }
    v.prev = vertex;
  }

  private refreshGroup(g: VertexState): void {
    const members = [...(g.members?.values() ?? [])];
    const wasHidden = g.hidden;
    let changed = false;
    let cached = true;
    let error = "";
    for (const m of members) {
      if (m.started !== undefined) {
        const prev = g.intervals.get(m.started);
        if (!prev || prev.stop !== m.completed) changed = true;
        g.intervals.set(m.started, { start: m.started, stop: m.completed });
        if (!m.progressGroup?.weak) g.hidden = false;
      }
      cached &&= m.cached;
      if (!error) error = m.error;
      else g.hidden = false;
    }
    if (g.vertex.cached !== cached || g.vertex.error !== error) changed = true;
    g.vertex = { ...g.vertex, cached, error };
    g.merged = mergeIntervals(g.intervals.values());
    if (g.hidden) return;
    if (wasHidden) {
      changed = true;
      this.started.push(g);
    }
    if (changed) {
      this.bump(g);
      this.updates.add(g.digest);
    }
  }

  // ---------------------------------------------------------------------------------------------- printing

  /** Text to the output; whole lines go to write, a partial line waits for its end. */
  private out(text: string): void {
    const all = this.partialLine + text;
    const lines = all.split("\n");
    this.partialLine = lines.pop() ?? "";
    for (const line of lines) this.write(line);
  }

  private print(): void {
    this.pending = false;
    const completed: VertexState[] = [];
    const rest: VertexState[] = [];
    for (const digest of this.updates) {
      const v = this.byDigest.get(digest);
      if (!v || v.grouped || v.hidden) continue;
      if (this.isCompleted(v)) completed.push(v);
      else rest.push(v);
    }
    const active = this.active;
    if (completed.some((v) => v.digest === active)) this.printVertex(active);
    completed.sort((a, b) => (a.merged.at(-1)?.stop ?? 0) - (b.merged.at(-1)?.stop ?? 0));
    for (const v of completed) if (v.digest !== active) this.printVertex(v.digest);

    if (rest.length === 0) {
      const cur = this.byDigest.get(active);
      if (cur && this.isStarted(cur) && !this.isCompleted(cur)) return;
      for (const v of this.started) {
        if (this.isStarted(v) && !this.isCompleted(v) && !v.grouped && !v.hidden) {
          this.printVertex(v.digest);
          return;
        }
      }
      return;
    }

    if (rest.some((v) => v.digest === active)) this.printVertex(active);

    const candidates = [...rest];
    const cur = this.byDigest.get(active);
    if (cur && !candidates.includes(cur)) candidates.push(cur);
    const stats = new Map<string, { blockTime: number; speed: number; share: number; overLimit: boolean }>();
    let sum = 0;
    let max = "";
    for (const v of candidates) {
      if (v.lastBlockTime === undefined) continue;
      const blockTime = this.clock - v.lastBlockTime;
      const speed = v.count / Math.max(blockTime, 1);
      const overLimit = blockTime > MAX_DELAY && v.digest !== active;
      stats.set(v.digest, { blockTime, speed, share: 0, overLimit });
      sum += speed;
      const best = stats.get(max);
      if (overLimit || max === "" || (best !== undefined && best.speed < speed)) max = v.digest;
    }
    for (const s of stats.values()) s.share = sum > 0 ? s.speed / sum : 0;

    if (active === "" || completed.some((v) => v.digest === active)) {
      if (max) this.printVertex(max);
      return;
    }
    for (const v of rest) {
      if (stats.get(v.digest)?.overLimit) {
        this.printVertex(v.digest);
        return;
      }
    }
    const cs = stats.get(active);
    if (cs && cs.share < 1 && (1 / (1 - cs.share)) * ANTI_FLICKER < cs.blockTime && max)
      this.printVertex(max);
  }

  private printVertex(digest: string): void {
    const v = this.byDigest.get(digest);
    if (!v) return;
    if (v.index === 0) v.index = ++this.nextIndex;

    if (digest !== this.active) {
      if (this.active !== "") {
        const old = this.byDigest.get(this.active);
        if (old) {
          if (old.logsPartial) this.out("\n");
          old.logsOffset = 0;
          old.count = 0;
          this.out(`#${old.index} ...\n`);
        }
      }
      if (this.notFirst) {
        this.out("\n");
      } else {
        if (this.options.desc) this.out(`#0 ${this.options.desc}\n\n`);
        this.notFirst = true;
      }
      this.out(`#${v.index} ${v.vertex.name}\n`);
    }

    let openStatus = false;
    for (const id of v.statuses) {
      if (!v.statusUpdates.has(id)) continue;
      const s = v.byId.get(id);
      if (!s) continue;
      const timestamp = s.timestamp ?? 0;
      const last = this.last.get(id);
      if (last && s.completed === undefined) {
        const progress = s.total > 0 ? (s.current - last.current) / s.total : 0;
        if (progress < MIN_PROGRESS_DELTA && timestamp - last.timestamp < MIN_TIME_DELTA) continue;
      }
      this.last.set(id, { current: s.current, timestamp });
      let size = "";
      if (s.total !== 0) size = ` ${formatBytes(s.current)} / ${formatBytes(s.total)}`;
      else if (s.current !== 0) size = ` ${formatBytes(s.current)}`;
      let time = "";
      const end = s.completed ?? timestamp;
      if (s.started !== undefined) {
        const seconds = (end - s.started) / 1000;
        if (seconds > 0.01) time = ` ${seconds.toFixed(1)}s`;
      }
      if (s.completed !== undefined) time += " done";
      else openStatus = true;
      this.out(`#${v.index} ${id}${size}${time}\n`);
    }
    v.statusUpdates.clear();

    for (const w of v.warnings.slice(v.warningIdx)) {
      this.out(`#${v.index} WARN: ${Buffer.from(w.short).toString("utf8")}\n`);
      v.warningIdx++;
    }

    v.logs.forEach((line, i) => {
      let l = line;
      if (i === 0 && v.logsOffset !== 0) {
        // the start of this line is already printed
        l = l.slice(v.logsOffset);
        this.out(l);
      } else {
        this.out(`#${v.index} ${l}`);
      }
      if (i !== v.logs.length - 1 || !v.logsPartial) this.out("\n");
      // as progressui: while the vertex's output ends in a partial line, every line printed goes to the
      // same slot, so the summary can miss lines (the reference shows them so)
      v.tail[v.tailPos] = l;
      if (!v.logsPartial) v.tailPos = (v.tailPos + 1) % LOG_TAIL;
    });
    if (v.logs.length > 0) {
      if (v.logsPartial) {
        v.logs = v.logs.slice(-1);
        v.logsOffset = v.logs[0]?.length ?? 0;
      } else {
        v.logs = [];
        v.logsOffset = 0;
      }
    }

    this.active = digest;
    if (this.isCompleted(v) && !openStatus) {
      this.active = "";
      v.count = 0;
      if (v.logsPartial) this.out("\n");
      const error = v.vertex.error;
      if (error) {
        if (error.endsWith(CANCELED)) this.out(`#${v.index} CANCELED\n`);
        else this.out(`#${v.index} ERROR: ${error}\n`);
      } else if (v.vertex.cached) {
        this.out(`#${v.index} CACHED\n`);
      } else {
        const seconds = v.merged.reduce((sum, i) => sum + ((i.stop ?? this.clock) - i.start), 0) / 1000;
        this.out(`#${v.index} DONE ${seconds.toFixed(1)}s\n`);
      }
    }
    this.updates.delete(digest);
  }
}

/**
 * A vertex of `service`'s build as a progress event (for `--progress json`): id the vertex as printed
 * (`[web 2/3] RUN …`), parent the service; text Waiting, Running, Done, Cached or Error; details the error.
 */
export function vertexEvent(service: string, vertex: Vertex): ProgressEvent {
  const event: ProgressEvent = {
    id: serviceVertexName(service, vertex.name),
    parent: service,
    text: "Waiting",
    status: "working",
  };
  if (vertex.error) {
    event.text = vertex.error.endsWith(CANCELED) ? "Canceled" : "Error";
    event.status = "error";
    event.details = vertex.error;
  } else if (vertex.completed !== undefined) {
    event.text = vertex.cached ? "Cached" : "Done";
    event.status = "done";
  } else if (vertex.started !== undefined) {
    event.text = "Running";
  }
  return event;
}
