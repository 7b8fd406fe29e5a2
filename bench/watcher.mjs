#!/usr/bin/env node
// File-watcher measurement for `watch` (src/project/watch/watcher.ts): on a generated tree of 50,000 files
// (45,000 under node_modules, 1,000 under .git, 4,000 source files in 400 directories; node_modules and
// .git ignored) prints the watcher's start time, inotify watches held (from /proc/<pid>/fdinfo), RSS, the
// latency of one file write (quietMs 0) and how long a burst of 300 new files in 30 new directories takes
// to be reported in full (each file or a directory above it). Each candidate runs in a fresh Node process.
//
//   node bench/watcher.mjs [--tree DIR] [--runs N] [--compare [--from DIR]]
//
// --tree keeps the generated tree in DIR (made when missing) to reuse it between runs; --compare also
// measures Node's recursive fs.watch, and chokidar and @parcel/watcher when they resolve from DIR (default
// the project; e.g. `npm install --prefix /tmp/w chokidar@4 @parcel/watcher`, then --from /tmp/w), all with
// node_modules and .git ignored.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), "..");
const ignoredNames = /(^|\/)(node_modules|\.git)(\/|$)/;

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4], process.argv[5]);
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      tree: { type: "string" },
      runs: { type: "string", default: "3" },
      compare: { type: "boolean", default: false },
      from: { type: "string", default: root },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("usage: node bench/watcher.mjs [--tree DIR] [--runs N] [--compare [--from DIR]]");
    return;
  }
  const runs = Number(values.runs);
  const scratch = mkdtempSync(join(tmpdir(), "bench-watcher-"));
  try {
    const tree = values.tree ? resolve(values.tree) : join(scratch, "tree");
    if (!existsSync(join(tree, ".generated"))) {
      const t = performance.now();
      generateTree(tree);
      console.log(`generated ${tree} in ${Math.round(performance.now() - t)} ms`);
    }
    const module = join(scratch, "watcher.mjs");
    const { build } = await import("esbuild");
    await build({
      entryPoints: [join(root, "src/project/watch/watcher.ts")],
      outfile: module,
      bundle: true,
      format: "esm",
      platform: "node",
      logLevel: "warning",
    });
    const candidates = ["tcompose"];
    if (values.compare) {
      candidates.push("fs.watch-recursive");
      const require = createRequire(join(resolve(values.from), "package.json"));
      for (const name of ["chokidar", "@parcel/watcher"]) {
        try {
          require.resolve(name);
          candidates.push(name);
        } catch {
          console.log(`(${name} not installed: skipped)`);
        }
      }
    }
    const rows = [];
    for (const candidate of candidates) {
      for (let run = 0; run < runs; run++) {
        const res = spawnSync(process.execPath, ["--expose-gc", self, "--child", candidate, tree, module], {
          encoding: "utf8",
          timeout: 300_000,
          env: { ...process.env, BENCH_RUN: String(run + 1), BENCH_FROM: resolve(values.from) },
        });
        const line = res.stdout.trim().split("\n").pop() ?? "";
        if (res.status !== 0 || !line.startsWith("{")) {
          console.log(
            `${candidate}: failed (${res.status}): ${res.stderr.trim().split("\n").slice(-3).join(" ")}`,
          );
          break;
        }
        rows.push(JSON.parse(line));
      }
    }
    console.log(`Node ${process.version}, ${countFiles(tree)} files`);
    console.log(
      "candidate             run  start ms  watches  RSS MiB  latency ms  burst 300 ms  ignored events",
    );
    for (const r of rows) {
      console.log(
        [
          r.candidate.padEnd(20),
          String(r.run).padStart(4),
          String(r.startMs).padStart(9),
          String(r.watches).padStart(8),
          String(r.rssMiB).padStart(8),
          String(r.latencyMs).padStart(11),
          String(r.burstMs).padStart(13),
          String(r.ignoredEvents).padStart(15),
        ].join(" "),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function countFiles(tree) {
  const marker = join(tree, ".generated");
  return existsSync(marker) ? readFileSync(marker, "utf8").trim() : "?";
}

/** 45,000 files under node_modules (900 packages × 5 dirs × 10), 1,000 under .git, 4,000 in src (20 × 20 dirs × 10). */
function generateTree(tree) {
  rmSync(tree, { recursive: true, force: true });
  let files = 0;
  const fill = (dir, count, name) => {
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < count; i++) writeFileSync(join(dir, `${name}${i}`), "x");
    files += count;
  };
  for (let p = 0; p < 900; p++) {
    fill(join(tree, "node_modules", `pkg${p}`), 10, "f");
    for (let s = 1; s < 5; s++) fill(join(tree, "node_modules", `pkg${p}`, `lib${s}`), 10, "f");
  }
  for (let o = 0; o < 100; o++) fill(join(tree, ".git/objects", o.toString(16).padStart(2, "0")), 10, "o");
  for (let a = 0; a < 20; a++)
    for (let b = 0; b < 20; b++) fill(join(tree, "src", `m${a}`, `c${b}`), 10, "s.ts");
  writeFileSync(join(tree, ".generated"), `${files}\n`);
}

/** Inotify watches this process holds. */
function inotifyWatches() {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== "anon_inode:inotify") continue;
      n += readFileSync(`/proc/self/fdinfo/${fd}`, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("inotify wd:")).length;
    } catch {}
  }
  return n;
}

/** Starts one candidate; resolves to its close function. */
async function startCandidate(candidate, tree, module, onPath) {
  if (candidate === "tcompose") {
    const { watchTree } = await import(pathToFileURL(module).href);
    const w = await watchTree({
      paths: [tree],
      ignored: (p) => ignoredNames.test(p),
      onChanges: (paths) => {
        for (const p of paths) onPath(p);
      },
      onError: (e) => console.error(e.message),
      quietMs: 0,
    });
    return () => w.close();
  }
  if (candidate === "fs.watch-recursive") {
    const { watch } = await import("node:fs");
    const w = watch(tree, { recursive: true }, (_, f) => {
      if (f && !ignoredNames.test(f.toString())) onPath(join(tree, f.toString()));
    });
    return () => w.close();
  }
  const require = createRequire(join(process.env.BENCH_FROM ?? root, "package.json"));
  if (candidate === "chokidar") {
    const { watch } = await import(pathToFileURL(require.resolve("chokidar")).href);
    const w = watch(tree, { ignored: (p) => ignoredNames.test(p), ignoreInitial: true });
    await new Promise((r) => w.on("ready", r));
    w.on("all", (_, p) => onPath(p));
    return () => w.close();
  }
  const parcel = await import(pathToFileURL(require.resolve("@parcel/watcher")).href);
  const sub = await parcel.subscribe(
    tree,
    (_, events) => {
      for (const e of events) onPath(e.path);
    },
    { ignore: ["node_modules", ".git"] },
  );
  return () => sub.unsubscribe();
}

async function child(candidate, tree, module) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const seen = new Set();
  let waiter = () => {};
  const onPath = (p) => {
    seen.add(p);
    waiter();
  };
  // A path counts as reported when it or a directory above it is (a consumer copies directories whole).
  const covered = (p) => seen.has(p) || (p !== tree && p.startsWith(tree) && covered(dirname(p)));
  const reported = (paths, timeoutMs = 10_000) =>
    new Promise((resolvePromise) => {
      const timer = setTimeout(() => resolvePromise(false), timeoutMs);
      waiter = () => {
        if (paths.every(covered)) {
          clearTimeout(timer);
          resolvePromise(true);
        }
      };
      waiter();
    });
  const t0 = performance.now();
  const close = await startCandidate(candidate, tree, module, onPath);
  const startMs = Math.round(performance.now() - t0);
  const watches = inotifyWatches();
  global.gc?.();
  await sleep(200);
  const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  const scratch = join(tree, "src", `bench-${process.pid}`);
  mkdirSync(scratch);
  await sleep(200);
  const latencies = [];
  for (let i = 0; i < 5; i++) {
    seen.clear();
    const file = join(scratch, `latency${i}.ts`);
    const t = performance.now();
    writeFileSync(file, "y");
    latencies.push((await reported([file], 3000)) ? performance.now() - t : Number.NaN);
    await sleep(100);
  }
  latencies.sort((a, b) => a - b);
  const burst = [];
  seen.clear();
  const tb = performance.now();
  for (let d = 0; d < 30; d++) {
    mkdirSync(join(scratch, `new${d}`, "deep"), { recursive: true });
    for (let f = 0; f < 10; f++) {
      const file = join(scratch, `new${d}`, "deep", `f${f}.ts`);
      writeFileSync(file, "z");
      burst.push(file);
    }
  }
  const complete = await reported(burst);
  const burstMs = complete ? Math.round(performance.now() - tb) : "missed";
  seen.clear();
  writeFileSync(join(tree, "node_modules/pkg1/ignored.js"), "i");
  mkdirSync(join(tree, "node_modules/pkg1/newdir"), { recursive: true });
  const sentinel = join(scratch, "sentinel.ts");
  writeFileSync(sentinel, "s");
  await reported([sentinel], 3000);
  await sleep(300);
  const ignoredEvents = [...seen].filter((p) => ignoredNames.test(p)).length;
  await close();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(join(tree, "node_modules/pkg1/ignored.js"), { force: true });
  rmSync(join(tree, "node_modules/pkg1/newdir"), { recursive: true, force: true });
  console.log(
    JSON.stringify({
      candidate,
      run: Number(process.env.BENCH_RUN ?? 0),
      startMs,
      watches,
      rssMiB,
      latencyMs: Number((latencies[2] ?? Number.NaN).toFixed(1)),
      burstMs,
      ignoredEvents,
    }),
  );
  process.exit(0);
}
