// Process runner and timer. Every timed command goes through runTimed so both tools are measured the
// same way: wall clock from spawn to exit with process.hrtime, peak RSS from GNU time when present.
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";
const OUTPUT_CAP = 4 * 1024 * 1024;

/** Returns the GNU time path when it supports `-f %M -o FILE`, else null (BusyBox/BSD time do not). */
export function detectGnuTime() {
  if (!existsSync(GNU_TIME)) return null;
  const dir = mkdtempSync(join(tmpdir(), "bench-time-"));
  try {
    const out = join(dir, "rss");
    const res = spawnSync(GNU_TIME, ["-f", "%M", "-o", out, "true"]);
    return res.status === 0 && parseRss(readFileSync(out, "utf8")) !== null ? GNU_TIME : null;
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// GNU time writes "Command exited with non-zero status N" before the format line when the child
// fails, so the figure is the last line of the file.
function parseRss(text) {
  const last = text.trim().split("\n").pop() ?? "";
  return /^\d+$/.test(last) ? Number(last) : null;
}

function readRss(file) {
  try {
    return parseRss(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

let rssCounter = 0;

/**
 * Runs cmd to completion and times it. Never throws: a spawn error or a timeout is a non-zero code.
 * @returns {Promise<{code: number, seconds: number, rssKiB: number|null, stdout: string, stderr: string}>}
 */
export async function runTimed(
  cmd,
  args,
  { cwd, env, timeBin = null, scratch = tmpdir(), timeoutMs = 300_000 } = {},
) {
  const rssFile = timeBin ? join(scratch, `rss-${process.pid}-${rssCounter++}`) : null;
  const [file, argv] = timeBin ? [timeBin, ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  // A process group of its own, so a timeout kills the tool and not only the time wrapper.
  const child = spawn(file, argv, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const out = collect(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  const { code, end } = await waitExit(child);
  clearTimeout(timer);
  const { stdout, stderr, stdoutLines } = await out;
  const rssKiB = rssFile ? readRss(rssFile) : null;
  if (rssFile) rmSync(rssFile, { force: true });
  // Put the timeout first so it becomes the reported failure line.
  const why = timedOut ? `timed out after ${timeoutMs / 1000} s\n` : "";
  return { code, seconds: Number(end - start) / 1e9, rssKiB, stdout, stdoutLines, stderr: why + stderr };
}

// The clock stops at 'exit', not 'close': a grandchild holding the pipes open is not the tool's time.
function waitExit(child) {
  return new Promise((resolve) => {
    child.on("error", () => resolve({ code: 127, end: process.hrtime.bigint() }));
    child.on("exit", (code) => resolve({ code: code ?? 128, end: process.hrtime.bigint() }));
  });
}

function collect(child) {
  const chunks = { stdout: [], stderr: [] };
  const sizes = { stdout: 0, stderr: 0 };
  let stdoutLines = 0;
  for (const name of ["stdout", "stderr"]) {
    child[name].on("data", (buf) => {
      // Capped so a runaway tool cannot exhaust the harness's memory; lines are counted past the cap.
      if (sizes[name] < OUTPUT_CAP) chunks[name].push(buf);
      sizes[name] += buf.length;
      if (name === "stdout")
        for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) stdoutLines++;
    });
  }
  return new Promise((resolve) => {
    child.on("close", () => resolve({ ...decode(chunks), stdoutLines }));
    child.on("error", (err) => resolve({ stdout: "", stderr: String(err.message), stdoutLines }));
  });
}

function decode(chunks) {
  return {
    stdout: Buffer.concat(chunks.stdout).toString("utf8"),
    stderr: Buffer.concat(chunks.stderr).toString("utf8"),
  };
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Untimed helper for setup and clean-up commands; never throws. */
/** CPU time counters of the whole machine (/proc/stat): idle and total jiffies; undefined off Linux. */
function cpuTimes() {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: fields[3] + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * Waits until the machine has been quiet (CPU ≥ 90 % idle) for two half-second windows in a row, at most
 * `maxMs`: the engine goes on working for a while after a teardown (removals, network clean-up), and a run
 * started then times that work too, for whichever tool comes next. Resolves with the milliseconds waited.
 */
export async function waitForQuiet(maxMs = 30_000) {
  const start = Date.now();
  let quiet = 0;
  let before = cpuTimes();
  if (!before) return 0;
  while (quiet < 2 && Date.now() - start < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuTimes();
    const idle = (now.idle - before.idle) / Math.max(1, now.total - before.total);
    quiet = idle >= 0.9 ? quiet + 1 : 0;
    before = now;
  }
  return Date.now() - start;
}

export function run(cmd, args, { cwd, env } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: OUTPUT_CAP }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Median, min and max of a list of numbers (null for an empty list). */
export function stats(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
