// The watch scenario (issue 17): on copies of examples/flask-redis (develop.watch: sync of `.` to /code),
// 1. the latency from a file's write on the host to its new content served by the container, and
// 2. the watcher's start, memory and CPU over a 50,000-file tree (node_modules, .git, sources).
// Every watch runs as `<tool> watch --no-up` in a process group of its own, killed in a finally.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { join } from "node:path";
import { removeImages, sweep } from "./engine.mjs";
import { run, stats, waitForQuiet } from "./measure.mjs";
import { invoke, projectName } from "./tools.mjs";

export const EDITS = 20;
const EDIT_GAP_MS = 1000;
const POLL_MS = 10;
const EDIT_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 120_000;
const UP_TIMEOUT_MS = 300_000;
const IDLE_MS = 5000;
const ENABLED = "Watch enabled";

/** The generated tree: node_modules, .git and sources, 50,000 files in all. */
export const TREE = {
  packages: 1500, // × 30 files in 3 directories = 45,000 files, 4,500 directories
  gitDirs: 250, // × 4 files = 1,000
  srcTop: 20, // × 20 directories × 10 files = 4,000 files in 420 directories
};
export const TREE_FILES = TREE.packages * 30 + TREE.gitDirs * 4 + TREE.srcTop * 20 * 10;

function example(ctx) {
  return join(ctx.root, "examples", "flask-redis");
}

/** Writes the 50,000-file tree into dir (a copy of the example). */
export function writeTree(dir) {
  const body = (name) => `// ${name}\nexport const value = ${JSON.stringify(name)};\n`;
  for (let p = 0; p < TREE.packages; p++) {
    const pkg = join(dir, "node_modules", `pkg-${p}`);
    const lib = join(pkg, "lib");
    const util = join(lib, "util");
    mkdirSync(util, { recursive: true });
    writeFileSync(join(pkg, "package.json"), `{"name":"pkg-${p}","version":"1.0.0"}\n`);
    writeFileSync(join(pkg, "index.js"), body(`pkg-${p}`));
    for (let f = 0; f < 14; f++) {
      writeFileSync(join(lib, `m${f}.js`), body(`pkg-${p}/lib/m${f}`));
      writeFileSync(join(util, `u${f}.js`), body(`pkg-${p}/lib/util/u${f}`));
    }
  }
  for (let g = 0; g < TREE.gitDirs; g++) {
    const objects = join(dir, ".git", "objects", g.toString(16).padStart(2, "0"));
    mkdirSync(objects, { recursive: true });
    for (let f = 0; f < 4; f++) writeFileSync(join(objects, `${g}${f}`.padEnd(38, "0")), `blob ${g} ${f}\n`);
  }
  for (let t = 0; t < TREE.srcTop; t++) {
    for (let s = 0; s < 20; s++) {
      const src = join(dir, "src", `area${t}`, `mod${s}`);
      mkdirSync(src, { recursive: true });
      for (let f = 0; f < 10; f++)
        writeFileSync(join(src, `f${f}.py`), `# area${t}/mod${s}/f${f}\nVALUE = ${f}\n`);
    }
  }
}

/** Once per scenario: the tree (a copy of the example, node_modules left out by its .dockerignore). */
export async function watchSetup(ctx, scenario) {
  scenario.images = new Set();
  const tree = join(ctx.files[scenario.name], "tree");
  cpSync(example(ctx), tree, { recursive: true });
  // The reference prunes its watches by the context's .dockerignore only: with node_modules in the rule's
  // `ignore` instead it still watches all 5,175 directories (filtering their events), tcompose 422.
  const ignore = join(tree, ".dockerignore");
  const text = readFileSync(ignore, "utf8");
  writeFileSync(ignore, `${text}${text.endsWith("\n") ? "" : "\n"}node_modules/\n`);
  writeTree(tree);
  scenario.tree = tree;
  scenario.hz = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
}

export async function watchTeardown(_ctx, scenario) {
  await removeImages([...(scenario.images ?? [])]);
  if (scenario.tree) rmSync(scenario.tree, { recursive: true, force: true });
}

const LATENCY_KEYS = ["latency", "p95"];
const TREE_KEYS = ["start", "cpuStart", "cpuIdle"];

/** One run of one tool: the tree first (no engine objects), then the latency on its own stack. */
export async function watchOnce(ctx, tool, n, scenario) {
  if (scenario.setupError) return all([...TREE_KEYS, ...LATENCY_KEYS], scenario.setupError);
  const tree = await guarded(TREE_KEYS, () => treeOnce(ctx, tool, n, scenario));
  await waitForQuiet(10_000);
  const latency = await guarded(LATENCY_KEYS, () => latencyOnce(ctx, tool, n, scenario));
  return { ...latency, ...tree };
}

function all(keys, outcome) {
  return Object.fromEntries(keys.map((k) => [k, outcome]));
}

async function guarded(keys, part) {
  try {
    return await part();
  } catch (err) {
    return all(keys, { status: "failed", message: `harness error: ${err?.message ?? err}` });
  }
}

/** Start, memory and CPU of `watch --no-up` over the 50,000-file tree (no container is needed for that). */
async function treeOnce(ctx, tool, n, scenario) {
  const project = projectName(ctx, "watch-tree", tool, n);
  // One untimed start first, as for config and ps: tcompose's code cache for `watch` is written by the first
  // run after a build, and both tools' files and the tree's directories are then in the page cache.
  const warm = spawnWatch(tool, { project, dir: scenario.tree, env: ctx.env });
  if (!warm.pid) return all(TREE_KEYS, warm.outcome);
  try {
    const started = await warm.enabled;
    if (started.status !== "ok")
      return all(TREE_KEYS, { ...started, message: `untimed start: ${started.message}` });
  } finally {
    await warm.stop();
  }
  await waitForQuiet(10_000);
  const w = spawnWatch(tool, { project, dir: scenario.tree, env: ctx.env });
  if (!w.pid) return all(TREE_KEYS, w.outcome);
  try {
    const started = await w.enabled;
    if (started.status !== "ok") return all(TREE_KEYS, started);
    const cpu0 = cpuSeconds(w.pid, scenario.hz);
    const rss0 = rssKiB(w.pid);
    const watches = inotifyWatches(w.pid);
    await sleep(IDLE_MS);
    const idle = cpuSeconds(w.pid, scenario.hz) - cpu0;
    ctx.note(
      `watch tree, ${tool.name} run ${n}: started in ${started.seconds.toFixed(3)} s, ${watches} inotify watches, ` +
        `VmRSS ${mib(rss0)} MiB after start and ${mib(rssKiB(w.pid))} MiB after ${IDLE_MS / 1000} s idle, ` +
        `CPU ${cpu0.toFixed(2)} s to start, ${idle.toFixed(2)} s idle`,
    );
    return {
      start: { status: "ok", seconds: started.seconds, rssKiB: rss0 },
      cpuStart: { status: "ok", seconds: cpu0, rssKiB: null },
      cpuIdle: { status: "ok", seconds: idle, rssKiB: null },
    };
  } finally {
    await w.stop();
  }
}

/** `up -d --wait`, `watch --no-up`, then EDITS edits of static/bench.txt, each timed until served. */
async function latencyOnce(ctx, tool, n, scenario) {
  const project = projectName(ctx, "watch", tool, n);
  const dir = join(ctx.files[scenario.name], `${tool.id}-${n}`);
  const file = join(dir, "compose.yaml");
  const tag = `${project}-web`;
  scenario.images.add(tag);
  let w;
  try {
    cpSync(example(ctx), dir, { recursive: true });
    const served = join(dir, "static", "bench.txt");
    mkdirSync(join(dir, "static"));
    writeFileSync(served, "start\n");
    const port = await freePort();
    const env = { ...ctx.buildEnv, WEB_PORT: String(port) };
    const up = await invoke(ctx, tool, {
      project,
      file,
      args: ["up", "-d", "--wait"],
      env,
      timeoutMs: UP_TIMEOUT_MS,
    });
    if (up.status !== "ok") return all(LATENCY_KEYS, { ...up, message: `up -d --wait: ${up.message}` });
    const first = await get(port);
    if (first.body !== "start\n")
      return all(
        LATENCY_KEYS,
        failed(`before watch, /static/bench.txt answered ${first.status} ${first.error ?? ""}`),
      );
    await waitForQuiet(10_000);
    w = spawnWatch(tool, { project, dir, env });
    if (!w.pid) return all(LATENCY_KEYS, w.outcome);
    const started = await w.enabled;
    if (started.status !== "ok") return all(LATENCY_KEYS, started);
    const latencies = [];
    for (let i = 1; i <= EDITS; i++) {
      await sleep(EDIT_GAP_MS); // each edit its own batch
      const content = `${project} edit ${i} ${Math.random().toString(36).slice(2)}\n`;
      const t0 = process.hrtime.bigint();
      writeFileSync(served, content);
      const seconds = await pollFor(port, content, t0);
      if (seconds === null) {
        const tail = w.output().trim().split("\n").slice(-2).join(" / ");
        return all(
          LATENCY_KEYS,
          failed(`edit ${i} not served after ${EDIT_TIMEOUT_MS / 1000} s (watch: ${tail})`),
        );
      }
      latencies.push(seconds);
    }
    const rss = rssKiB(w.pid);
    const { median, p95 } = latencySummary(latencies);
    ctx.note(
      `watch latency, ${tool.name} run ${n} (ms, in edit order): ${latencies.map((s) => Math.round(s * 1000)).join(" ")}`,
    );
    return {
      latency: { status: "ok", seconds: median, rssKiB: rss },
      p95: { status: "ok", seconds: p95, rssKiB: null },
    };
  } finally {
    await w?.stop();
    await down(ctx, tool, project, file);
    await removeImages([tag]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median and 95th percentile (nearest rank: the smallest value with 95 % of them at or below it). */
export function latencySummary(seconds) {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { median: stats(sorted).median, p95: sorted[Math.ceil(0.95 * sorted.length) - 1] };
}

function failed(message) {
  return { status: "failed", message };
}

// As the other scenarios: down by the reference when present, then a sweep by label and name.
async function down(ctx, tool, project, file) {
  await invoke(ctx, ctx.reference ?? tool, {
    project,
    file,
    args: ["down", "-v", "--remove-orphans"],
    timeoutMs: UP_TIMEOUT_MS,
  });
  const swept = await sweep(project);
  if (swept) ctx.note(`${project}: swept ${swept} object(s) that down left behind`);
}

// Watch processes alive now: killed if the harness exits on its own (Ctrl-C, a crash) before stop().
const live = new Set();
process.on("exit", () => {
  for (const pid of live) killGroup(pid, "SIGKILL");
});

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Spawns `<tool> -p project -f dir/compose.yaml watch --no-up` in a process group of its own. `enabled`
 * resolves with the seconds from spawn to "Watch enabled" (on either stream), or a failed / not-yet
 * outcome when it exits or times out first; `stop()` sends SIGINT, then SIGKILL after 5 s.
 */
function spawnWatch(tool, { project, dir, env }) {
  const base = tool.command();
  if (!base) return { outcome: { status: "notyet", message: "dist/tcompose.cjs is not built" } };
  const argv = [...base.args, "-p", project, "-f", join(dir, "compose.yaml"), "watch", "--no-up"];
  const t0 = process.hrtime.bigint();
  const child = spawn(base.cmd, argv, { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid) live.add(child.pid);
  let text = "";
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", (err) => resolve({ code: 127, signal: null, error: err }));
  });
  const enabled = new Promise((resolve) => {
    const done = (outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(
      () => done(failed(`no "${ENABLED}" after ${START_TIMEOUT_MS / 1000} s: ${lastLine(text)}`)),
      START_TIMEOUT_MS,
    );
    const onData = (buf) => {
      if (text.length < 1 << 20) text += buf.toString("utf8");
      if (text.includes(ENABLED)) done({ status: "ok", seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then(({ code, error }) => {
      const why = error?.message ?? (lastLine(text) || `exit code ${code}`);
      if (tool.id === "tc" && /not implemented/i.test(text)) done({ status: "notyet", message: why });
      else done(failed(`watch exited before "${ENABLED}": ${why}`));
    });
  });
  let stopped;
  return {
    pid: child.pid,
    outcome: failed("watch could not be spawned"),
    enabled,
    output: () => text.replaceAll("\x1b[2K", ""),
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          killGroup(child.pid, "SIGINT");
          const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        killGroup(child.pid, "SIGKILL"); // anything left in its group
        live.delete(child.pid);
      })();
      return stopped;
    },
  };
}

function lastLine(text) {
  return (
    text
      .replaceAll("\x1b[2K", "")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ""
  );
}

/** GETs /static/bench.txt every POLL_MS until its body is `content`: seconds since t0, null on timeout. */
async function pollFor(port, content, t0) {
  const deadline = Date.now() + EDIT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const res = await get(port);
    if (res.body === content) return Number(process.hrtime.bigint() - t0) / 1e9;
    await sleep(POLL_MS);
  }
  return null;
}

function get(port) {
  return new Promise((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: "/static/bench.txt", agent: false, timeout: 5000 },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (err) => resolve({ status: 0, body: null, error: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ status: 0, body: null, error: err.message }));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid, hz) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // from field 3, state
  return (Number(fields[11]) + Number(fields[12])) / hz;
}

function rssKiB(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : null;
}

/** The process's inotify watches: one `inotify wd:` line per watch in its descriptors' fdinfo. */
function inotifyWatches(pid) {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      if (!readlinkSync(`/proc/${pid}/fd/${fd}`).includes("inotify")) continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
      count += info.split("\n").filter((line) => line.startsWith("inotify wd:")).length;
    } catch {
      // Closed meanwhile.
    }
  }
  return count;
}

function mib(kib) {
  return kib === null ? "n/a" : (kib / 1024).toFixed(1);
}
