// The progress renderers selected by `--progress auto|tty|plain|json|quiet`: they turn apply's ProgressEvents
// (src/project/progress.ts) into what the reference Docker Compose v2.26.1 prints on stderr.
//
// Observed formats (reference 2.26.1, `cat -A` / `script` captures; written here as facts, the code is ours):
//
// plain — one line per event, the words joined by single spaces after a leading space:
//   ` Network p_default  Creating`, ` Container p-web-1  Created`, ` Container p-web-1  Running`: a resource's
//   state stands in the reference's status field and its text field is empty, hence the two spaces.
//   ` web Pulling ` / ` web Pulled ` / ` 83aea744618f Already exists ` / ` 4cce3ac1d2bb Pulling fs layer `:
//   pulls put the state in the text field and leave the status field empty, hence the trailing space;
//   ` 4cce3ac1d2bb Downloading [>      …      ]   98.3kB/8.003MB`: a layer's status field is the daemon's
//   progress string. Warnings: ` Network p_default  Resource is still in use`.
//   Messages that the reference prints after the frame (tail) come at once in plain mode.
// tty — every ~100 ms the whole frame is redrawn in place:
//   first frame `ESC[1A ESC[1B ESC[0G`, later ones `ESC[1A` × (lines of the previous frame + 1) then `ESC[0G`;
//   then `ESC[?25l` (hide cursor), the frame, `ESC[?25h`. Lines end in "\n".
//   Header `[+] <title> <finished>/<lines of the previous frame>` (so the first ticks read `[+] Running 0/0`,
//   `[+] Running 3/1`), blue (`ESC[34m…ESC[0m`) once the two numbers are equal and non-zero. The title is
//   "Running" for up, down, start, unpause, scale, run; create "Creating", stop "Stopping", rm "Removing",
//   kill "Killing", pause "Pausing", restart "Restarting", pull "Pulling", push "Pushing", build "Building",
//   cp "Copying", publish "Publishing".
//   One line per top-level event, its children (layers) after it with two more spaces of indent:
//   ` <mark> <id> <text><pad> <status>` then spaces up to the terminal width minus the timer `0.3s `
//   (blue), e.g. ` ESC[32m✔ESC[0m Container p-web-1  ESC[32mStartedESC[0m            ESC[34m0.0s ESC[0m`.
//   <mark>: spinner ⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ in yellow while working, ✔ green, ! yellow+bold, ✘ red+bold; the status is
//   coloured the same way (even when empty: `ESC[32mESC[0m`), uncoloured while working.
//   <pad> pads "<id> <text>" to the longest one (minus 2 per child line met while measuring, byte lengths).
//   A parent whose children are under way shows them as `[⣿⡀⣿]` (one braille cell per child, by percent)
//   and, when every working child has a total, ` 131.1kB / 11MB   ` (sizes %7s / %-7s, decimal units).
//   The status is cut to (width − len(text) − pad − 15) characters plus "..." when longer.
//   The timer runs while the event works and stops at its first finish: a later working event (Starting
//   after Created) is ignored, a later finish (Started) only changes the words, so `Started 0.0s` shows the
//   time until Created. When the previous frame had more lines, blank lines (width spaces) fill them.
//   With more events than rows − 2 the children are no longer shown. stop() prints the final frame and then
//   the tail messages. `--progress tty` on a stream that is no terminal fails: "provided file is not a console".
// quiet — nothing. json — tcompose's own addition, see jsonLine below.
// --ansi never: auto becomes plain, tty is refused; NO_COLOR keeps the tty view without colours.

import type { Progress, ProgressEvent, ProgressStatus } from "../../project/progress.js";

export type ProgressMode = "auto" | "tty" | "plain" | "json" | "quiet";
export type AnsiMode = "never" | "always" | "auto";

export interface ProgressOptions {
  mode: ProgressMode;
  /** Whether the stream written to is a terminal. */
  isTty: boolean;
  write: (text: string) => void;
  ansi?: AnsiMode;
  /** The header's verb in the TTY view; "Running" unless told. */
  title?: string;
  /** Milliseconds (Date.now unless told). */
  now?: () => number;
  /** The terminal's size; 80 × 24 unless told (0 behaves as the reference with an unknown size). */
  columns?: number;
  rows?: number;
  /** NO_COLOR is set: the TTY view without colours. */
  noColor?: boolean;
}

/** The renderer a mode comes to: auto is tty on a terminal unless --ansi never, else plain. */
export function resolveProgressMode(
  mode: ProgressMode,
  isTty: boolean,
  ansi: AnsiMode = "auto",
): "tty" | "plain" | "json" | "quiet" {
  if (mode === "auto") return isTty && ansi !== "never" ? "tty" : "plain";
  if (mode === "tty") return isTty ? "tty" : "plain";
  return mode;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const { write } = options;
  switch (resolveProgressMode(options.mode, options.isTty, options.ansi)) {
    case "quiet":
      return { mode: "quiet", event() {}, log() {}, stop() {}, tail() {}, followUp() {} };
    case "plain": {
      const line = (text: string) => write(`${text}\n`);
      return {
        mode: "plain",
        event: (e) => write(plainLine(e)),
        log: line,
        tail: line,
        stop() {},
        followUp() {},
      };
    }
    case "json":
      return {
        mode: "json",
        event: (e) => write(jsonLine(e, now())),
        log: (text) => write(`${JSON.stringify({ time: new Date(now()).toISOString(), log: text })}\n`),
        tail: (text) => write(`${JSON.stringify({ time: new Date(now()).toISOString(), log: text })}\n`),
        stop() {},
        followUp() {},
      };
    case "tty":
      return new TtyProgress(options, now);
  }
}

// ---------------------------------------------------------------------------------------------- plain, json

/** The reference's plain line for one event: ` <id> <text> <status>` (Go's Println of the three fields). */
export function plainLine(event: ProgressEvent): string {
  const { text, status } = fields(event);
  return ` ${event.id} ${text} ${status}\n`;
}

/**
 * One JSON object per event and line (tcompose's own format; the reference has no json mode):
 *   time     ISO 8601 time of the event
 *   id       the resource (`Container p-web-1`, `Network p_default`, a service or a layer id)
 *   parent   the parent's id, for nested events (a pull's layers); absent otherwise
 *   status   "working" | "done" | "warning" | "error"
 *   text     the state (Creating, Created, Pulling, Downloading …)
 *   details  more words (an error message, a layer's progress string); absent when none
 *   cause    why the action is taken (a recreate's changed fields …); absent when none
 *   current, total, percent   a layer's bytes so far, in all, and percentage; absent when unknown
 * log() and tail() texts come as {"time": …, "log": text}.
 */
export function jsonLine(event: ProgressEvent, time: number): string {
  const out: Record<string, unknown> = { time: new Date(time).toISOString(), id: event.id };
  if (event.parent) out.parent = event.parent;
  out.status = event.status;
  out.text = event.text;
  if (event.details) out.details = event.details;
  if (event.cause) out.cause = event.cause;
  if (event.current !== undefined) out.current = event.current;
  if (event.total !== undefined) out.total = event.total;
  if (event.percent !== undefined) out.percent = event.percent;
  return `${JSON.stringify(out)}\n`;
}

/** The reference's two text fields of an event: `text` follows the id, `status` is the coloured column. */
function fields(e: { text: string; details?: string; textAfterId?: boolean }): {
  text: string;
  status: string;
} {
  if (e.textAfterId) return { text: e.text, status: e.details ?? "" };
  return { text: "", status: e.details ? `${e.text} ${e.details}` : e.text };
}

// ---------------------------------------------------------------------------------------------------- tty

export interface TtyEntry {
  id: string;
  parent?: string;
  status: ProgressStatus;
  text: string;
  details?: string;
  textAfterId?: boolean;
  current: number;
  total: number;
  percent: number;
  /** When the event was first seen, and when it first finished (ms). */
  start: number;
  end?: number;
}

/** What the live view knows; changed by applyEvent and by the frames drawn. */
export interface TtyState {
  title: string;
  order: string[];
  entries: Map<string, TtyEntry>;
  /** Lines below the header in the last frame drawn (the header's second number). */
  lines: number;
  /** Lines to move up before drawing: the last frame's height, 0 before the first frame. */
  drawn: number;
  /** Children are no longer shown (once there were more events than the terminal has rows − 2). */
  skipChildren: boolean;
  /** More follows the current step: finishes are shown as still working. */
  followUp: boolean;
}

export function newTtyState(title = "Running"): TtyState {
  return { title, order: [], entries: new Map(), lines: 0, drawn: 0, skipChildren: false, followUp: false };
}

/** Records one event in the state, as the reference's live view does (see the notes at the top). */
export function applyEvent(state: TtyState, event: ProgressEvent, now: number): void {
  const last = state.entries.get(event.id);
  if (!last) {
    state.order.push(event.id);
    const entry: TtyEntry = {
      id: event.id,
      status: event.status,
      text: event.text,
      current: event.current ?? 0,
      total: event.total ?? 0,
      percent: event.percent ?? 0,
      start: now,
    };
    if (event.parent !== undefined) entry.parent = event.parent;
    if (event.details !== undefined) entry.details = event.details;
    if (event.textAfterId) entry.textAfterId = true;
    if (event.status === "done" || event.status === "error") entry.end = now;
    state.entries.set(event.id, entry);
    return;
  }
  let status = event.status;
  if (status === "done" && state.followUp) status = "working";
  if (status === "working") {
    if (last.end !== undefined) return;
  } else if (last.end === undefined) {
    last.end = now;
  }
  last.status = status;
  last.text = event.text;
  last.details = event.details;
  last.textAfterId = event.textAfterId;
  last.total = Math.max(last.total, event.total ?? 0);
  last.current = Math.max(last.current, event.current ?? 0);
  last.percent = Math.max(last.percent, event.percent ?? 0);
  if (last.parent === undefined || event.parent === undefined) last.parent = event.parent;
}

export interface FrameLayout {
  columns: number;
  rows: number;
  color: boolean;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CELLS = ["⠀", "⡀", "⣀", "⣄", "⣤", "⣦", "⣶", "⣷", "⣿"];
const ESC = "\x1b[";

type Paint = (s: string) => string;
const painter =
  (color: boolean, ...codes: number[]): Paint =>
  (s) =>
    color ? `${codes.map((c) => `${ESC}${c}m`).join("")}${s}${ESC}0m` : s;

/**
 * One frame of the live view for the state at time `now`, cursor moves included; updates the state's
 * line counts as drawing it does. Pure but for that: the same state and time give the same text.
 */
export function renderFrame(state: TtyState, now: number, layout: FrameLayout): string {
  if (state.order.length === 0) return "";
  const { columns, rows, color } = layout;
  const blue = painter(color, 34);
  const green = painter(color, 32);
  const yellow = painter(color, 33);
  const warn = painter(color, 33, 1);
  const red = painter(color, 31, 1);
  const paintStatus = (s: ProgressStatus): Paint =>
    s === "done" ? green : s === "warning" ? warn : s === "error" ? red : (x) => x;

  let out = state.drawn > 0 ? `${ESC}1A`.repeat(state.drawn) : `${ESC}1A${ESC}1B`;
  out += `${ESC}0G${ESC}?25l`;

  const entries = state.order.map((id) => state.entries.get(id) as TtyEntry);
  const finished = entries.filter((e) => e.status !== "working").length;
  let header = `[+] ${state.title} ${finished}/${state.lines}`;
  if (state.lines !== 0 && finished === state.lines) header = blue(header);
  out += `${header}\n`;

  let statusPadding = 0;
  for (const e of entries) {
    statusPadding = Math.max(statusPadding, byteLength(`${e.id} ${fields(e).text}`));
    if (e.parent !== undefined) statusPadding -= 2;
  }
  if (entries.length > rows - 2) state.skipChildren = true;

  const line = (e: TtyEntry, indent: string): string => {
    const end = e.status === "working" ? now : (e.end ?? e.start);
    const elapsed = (end - e.start) / 1000;
    const f = fields(e);
    let txt = `${e.id} ${f.text}`;
    if (e.status === "working") {
      const children = entries.filter((c) => c.parent === e.id);
      if (children.length > 0) {
        let hide = false;
        let total = 0;
        let current = 0;
        let cells = "";
        for (const c of children) {
          if (c.status === "working" && c.total === 0) hide = true;
          total += c.total;
          current += c.current;
          cells += CELLS[Math.trunc(((CELLS.length - 1) * c.percent) / 100)] ?? "";
        }
        const sizes =
          hide || total === 0 ? "" : ` ${humanSize(current).padStart(7)} / ${humanSize(total).padEnd(7)}`;
        txt = `${e.id} [${green(cells)}]${sizes} ${f.text}`;
      }
    }
    const textLength = byteLength(txt);
    const padding = Math.max(0, statusPadding - textLength);
    const maxStatus = columns - textLength - statusPadding - 15;
    let status = f.status;
    if (maxStatus > 0 && status.length > maxStatus) status = `${status.slice(0, maxStatus)}...`;
    const mark =
      e.status === "done"
        ? green("✔")
        : e.status === "warning"
          ? warn("!")
          : e.status === "error"
            ? red("✘")
            : yellow(SPINNER[Math.floor(Math.max(0, now - e.start) / 100) % SPINNER.length] ?? "");
    const left = `${indent} ${mark} ${txt}${" ".repeat(padding)} ${paintStatus(e.status)(status)}`;
    const timer = blue(`${elapsed.toFixed(1)}s `);
    const gap = Math.max(0, columns - visibleLength(left) - visibleLength(timer));
    return `${left}${" ".repeat(gap)}${timer}\n`;
  };

  let lines = 0;
  for (const e of entries) {
    if (e.parent !== undefined) continue;
    out += line(e, "");
    lines++;
    for (const c of entries) {
      if (c.parent !== e.id || state.skipChildren) continue;
      out += line(c, "  ");
      lines++;
    }
  }
  for (let i = lines; i < state.lines; i++) {
    if (lines < rows - 2) {
      out += `${" ".repeat(columns)}\n`;
      lines++;
    }
  }
  state.lines = lines;
  state.drawn = lines + 1;
  return `${out}${ESC}?25h`;
}

/** Size in decimal units with 4 significant digits, as Docker's HumanSize: 131.1kB, 11MB, 0B. */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Characters a terminal shows: escape sequences (ESC … m) left out. */
function visibleLength(s: string): number {
  let n = 0;
  let inEscape = false;
  for (const ch of s) {
    if (ch === "\x1b") inEscape = true;
    else if (inEscape) {
      if (ch === "m") inEscape = false;
    } else n++;
  }
  return n;
}

class TtyProgress implements Progress {
  readonly mode = "tty";
  private readonly state: TtyState;
  private readonly layout: FrameLayout;
  private readonly tails: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: ProgressOptions,
    private readonly now: () => number,
  ) {
    this.state = newTtyState(options.title ?? "Running");
    this.layout = {
      columns: options.columns ?? 80,
      rows: options.rows ?? 24,
      color: options.ansi !== "never" && !options.noColor,
    };
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  event(event: ProgressEvent): void {
    if (!this.stopped) applyEvent(this.state, event, this.now());
  }

  log(text: string): void {
    if (this.state.drawn === 0) {
      this.options.write(`${text}\n`);
      return;
    }
    // Over the live view: back to its top, clear to the end of the screen, the text, then the view again.
    const up = `${ESC}1A`.repeat(this.state.drawn);
    this.options.write(`${up}${ESC}0G${ESC}J${text}\n`);
    this.state.drawn = 0;
    this.draw();
  }

  tail(text: string): void {
    this.tails.push(text);
  }

  followUp(more: boolean): void {
    this.state.followUp = more;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    for (const text of this.tails) this.options.write(`${text}\n`);
  }

  private draw(): void {
    const frame = renderFrame(this.state, this.now(), this.layout);
    if (frame) this.options.write(frame);
  }
}
