#!/usr/bin/env node
// Benchmark entry point (`npm run bench`): runs every scenario with the reference Docker Compose and
// tcompose side by side, alternating runs, and writes BENCHMARKS.md. See bench/README.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { engineVersion, imagesNamed, removeImages, sweep } from "./engine.mjs";
import { detectGnuTime, runTimed, stats, waitForQuiet } from "./measure.mjs";
import { writeReport } from "./report.mjs";
import { scenarios } from "./scenarios.mjs";
import { buildEnv, findReference, referenceTool, referenceVersion, tcomposeTool } from "./tools.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      "no-reference": { type: "boolean", default: false },
      output: { type: "string", default: join(root, "BENCHMARKS.md") },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) usage(0);
  const runs = values.quick ? 1 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${values.runs}`);
  const names = values.only ? values.only.split(",").map((s) => s.trim()) : scenarios.map((s) => s.name);
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) fail(`unknown scenario ${unknown.join(", ")} (known: ${scenarios.map((s) => s.name)})`);
  const selected = scenarios.filter((s) => names.includes(s.name));
  return { runs, selected, output: resolve(values.output), noReference: values["no-reference"] };
}

function usage(code) {
  console.log(
    `usage: node bench/run.mjs [--runs N] [--quick] [--only ${scenarios.map((s) => s.name).join(",")}] [--output FILE]`,
  );
  process.exit(code);
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// COMPOSE_* variables (project name, file, parallel limit…) would change what either tool does.
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("COMPOSE_")));
}

function makeContext(workDir, noReference) {
  const refPath = noReference ? null : findReference(root);
  const notes = [];
  const env = cleanEnv();
  return {
    root,
    workDir,
    env,
    buildEnv: buildEnv(root, env),
    timeBin: detectGnuTime(),
    token: Math.random().toString(36).slice(2, 7),
    refPath,
    reference: refPath ? referenceTool(refPath) : null,
    tcompose: tcomposeTool(root),
    files: {},
    notes,
    note: (text) => {
      notes.push(text);
      console.warn(`  note: ${text}`);
    },
  };
}

async function machineFacts(ctx, runs) {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const refVersion = ctx.refPath ? referenceVersion(ctx.refPath) : null;
  return {
    date: new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC"),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown CPU",
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    engine: await engineVersion(),
    reference: refVersion ? `Docker Compose ${refVersion} (${ctx.refPath})` : "absent",
    referenceShort: refVersion ?? "",
    hasReference: Boolean(ctx.reference),
    runs,
    scenarioNames: scenarios.map((s) => s.name),
    rssMethod: ctx.timeBin ? "GNU time `-f %M` around the tool process (max over runs)" : "n/a (no GNU time)",
    floor: await nodeFloor(ctx, runs),
    loadStart: loadAverage(),
  };
}

// Other work on the machine (builds, tests on the same engine) skews every figure; the report says so.
function loadAverage() {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(", ");
}

// The cost of starting Node at all: the floor under any tcompose command, and `config`'s target.
async function nodeFloor(ctx, runs) {
  const times = [];
  for (let i = 0; i < Math.max(runs, 3); i++) {
    const res = await runTimed(process.execPath, ["-e", ""], { env: ctx.env });
    times.push(res.seconds);
  }
  return stats(times);
}

/** Runs one scenario: tools alternate within each run; see strike() for when a tool stops. */
async function runScenario(ctx, scenario, runs, toolList) {
  const results = Object.fromEntries(Object.keys(scenario.tables).map((k) => [k, {}]));
  const tools = scenario.floor ? [...toolList, scenario.floor] : toolList;
  const strikes = new Map(tools.map((t) => [t, 0]));
  try {
    await setupSafely(ctx, scenario);
    if (scenario.quick) for (const tool of tools) await runSafely(ctx, scenario, tool, 0);
    const total = scenario.quick ? runs * 3 : runs;
    for (let n = 1; n <= total; n++) {
      for (const tool of tools.filter((t) => strikes.get(t) < 2)) {
        await waitForQuiet();
        const outcomes = await runSafely(ctx, scenario, tool, n);
        record(results, tool, outcomes);
        log(scenario, tool, n, outcomes);
        strikes.set(tool, strikes.get(tool) + strike(outcomes));
      }
    }
  } finally {
    if (scenario.teardown) await scenario.teardown(ctx, scenario);
  }
  return results;
}

// "Not yet" never changes within a run: drop the tool at once. A failure may be transient (load):
// drop the tool at its second one, so a deterministic failure costs two runs, not all of them.
function strike(outcomes) {
  const all = Object.values(outcomes);
  if (all.some((o) => o.status === "ok")) return 0;
  return all.some((o) => o.status === "failed") ? 1 : 2;
}

async function setupSafely(ctx, scenario) {
  try {
    if (scenario.setup) await scenario.setup(ctx, scenario);
  } catch (err) {
    scenario.setupError = { status: "failed", message: `harness error in setup: ${err?.message ?? err}` };
  }
}

// A throw inside a scenario (a harness bug, a docker CLI hiccup) becomes a failed row, not an abort.
async function runSafely(ctx, scenario, tool, n) {
  try {
    return await scenario.runOnce(ctx, tool, n, scenario);
  } catch (err) {
    const message = `harness error: ${err?.message ?? err}`;
    return Object.fromEntries(Object.keys(scenario.tables).map((k) => [k, { status: "failed", message }]));
  }
}

function record(results, tool, outcomes) {
  for (const [key, outcome] of Object.entries(outcomes)) {
    const { stdout: _drop, ...kept } = outcome; // config output is large; the report never needs it
    if (!results[key][tool.id]) results[key][tool.id] = [];
    results[key][tool.id].push(kept);
  }
}

function log(scenario, tool, n, outcomes) {
  const parts = Object.entries(outcomes).map(([key, o]) => {
    if (o.status === "ok")
      return `${key} ${o.seconds.toFixed(3)} s${o.rssKiB ? `, ${(o.rssKiB / 1024).toFixed(1)} MiB` : ""}`;
    const what = { notyet: "not yet", skipped: "SKIPPED" }[o.status] ?? "FAILED";
    return `${key} ${what}: ${o.message}`;
  });
  console.log(`[${scenario.name}] run ${n} ${tool.name}: ${parts.join("; ")}`);
}

function referenceFailures(results) {
  return Object.values(results).flatMap((tables) =>
    Object.values(tables).flatMap((t) => (t.ref ?? []).filter((o) => o.status === "failed")),
  );
}

/** Scenarios whose every outcome was skipped, with the first reason. */
function skippedScenarios(selected, results) {
  return selected.flatMap((scenario) => {
    const all = Object.values(results[scenario.name] ?? {}).flatMap((t) => Object.values(t).flat());
    return all.length && all.every((o) => o.status === "skipped")
      ? [{ name: scenario.name, message: all[0].message }]
      : [];
  });
}

// Ctrl-C skips every finally: sweep this run's objects and images (all names carry the token) before exiting.
function onInterrupt(ctx, workDir) {
  const handler = async (signal) => {
    console.error(`\nbench: ${signal}, removing this run's containers, networks and volumes`);
    await sweep(ctx.token);
    await removeImages(await imagesNamed(ctx.token));
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}

async function main() {
  const { runs, selected, output, noReference } = parseOptions();
  const workDir = mkdtempSync(join(os.tmpdir(), "tcompose-bench-"));
  const ctx = makeContext(workDir, noReference);
  onInterrupt(ctx, workDir);
  if (!ctx.reference)
    console.warn("\n*** REFERENCE ABSENT: running tcompose alone, ratios will be n/a ***\n");
  if (!ctx.timeBin) console.warn("bench: GNU time not found, peak RSS will be n/a");
  const tools = ctx.reference ? [ctx.reference, ctx.tcompose] : [ctx.tcompose];
  const meta = await machineFacts(ctx, runs);
  const results = {};
  try {
    for (const scenario of selected) {
      const dir = join(workDir, scenario.name);
      mkdirSync(dir);
      ctx.files[scenario.name] = scenario.prepare(dir);
      results[scenario.name] = await runScenario(ctx, scenario, runs, tools);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  meta.loadEnd = loadAverage();
  writeReport(output, { meta, scenarios: selected, results, notes: ctx.notes });
  console.log(`bench: wrote ${output}`);
  // A scenario that cannot run here (the stack scenario without a swarm) says why; when nothing selected
  // ran at all, e.g. `--only stack` without root, the run fails.
  const skipped = skippedScenarios(selected, results);
  for (const { name, message } of skipped) console.error(`bench: ${name} skipped: ${message}`);
  if (skipped.length && skipped.length === selected.length) process.exitCode = 1;
  const refFailed = referenceFailures(results);
  if (refFailed.length) {
    console.error(`bench: the reference failed ${refFailed.length} time(s): ${refFailed[0].message}`);
    process.exitCode = 1;
  }
}

await main();
