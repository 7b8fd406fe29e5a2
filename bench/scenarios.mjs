// The benchmark scenarios. Each timed run gets its own project name and is torn down in a finally,
// then swept, so no run inherits containers, networks or volumes from the one before.
import {
  buildCold,
  buildLarge,
  buildRebuild,
  buildTeardown,
  FLOOR,
  LARGE_BYTES,
  LARGE_FILES,
} from "./builds.mjs";
import { countContainers, projectContainers, sweep } from "./engine.mjs";
import { chain, chatty, healthyStack, independent, large, replicated, writeCompose } from "./fixtures.mjs";
import { run } from "./measure.mjs";
import { STACK_FLOOR, stackOnce, stackPrepare, stackSetup } from "./stack.mjs";
import { failUnless, invoke, projectName } from "./tools.mjs";
import { NODE_FLOOR, PROJECTS, typicalOnce, writeTypical } from "./typical.mjs";
import { EDITS, TREE_FILES, watchOnce, watchSetup, watchTeardown } from "./watch.mjs";

const UP_TIMEOUT_MS = 180_000;
// Hundreds of containers: ~0.2 s of the engine's time each to start, more on a loaded machine.
const LARGE_TIMEOUT_MS = 900_000;
const LOG_CONTAINERS = 10;
const LOG_LINES = 100_000;

/**
 * A scenario: `prepare(dir)` writes its compose file, optional `setup`/`teardown` run once around all
 * runs, and `runOnce(ctx, tool, n)` returns one outcome per table key. A quick read-only command (`quick`)
 * gets one untimed run per tool first (caches filled, as in daily use: tcompose's code cache, both tools'
 * pages) and three times the runs, since one run there is a fraction of a second and noisy. A `floor`
 * pseudo-tool, when present, runs after the tools in every run: what the engine alone needs for the work
 * (for `typical`, Node's start-up alone).
 */
export const scenarios = [
  {
    name: "up",
    title: "20 independent services",
    tables: { up: "`up -d`, 20 independent services", down: "`down`, the same 20 services" },
    prepare: (dir) => writeCompose(dir, independent(20)),
    runOnce: (ctx, tool, n) => upThenDown(ctx, tool, n, "up", 20),
  },
  {
    name: "chain",
    title: "depends_on chain of 10 services",
    tables: { up: "`up -d`, chain s1 ← s2 ← … ← s10" },
    prepare: (dir) => writeCompose(dir, chain(10)),
    runOnce: (ctx, tool, n) => timedUp(ctx, tool, n, "chain", ["up", "-d"], 10),
  },
  {
    name: "healthy",
    title: "healthy database, then 4 apps",
    tables: { up: "`up -d --wait`, db healthy after ~1 s, 4 apps on service_healthy" },
    prepare: (dir) => writeCompose(dir, healthyStack(4)),
    runOnce: (ctx, tool, n) => timedUp(ctx, tool, n, "healthy", ["up", "-d", "--wait"], 5),
  },
  {
    name: "scale",
    title: "one service, 30 replicas",
    tables: { up: "`up -d`, `deploy.replicas: 30`" },
    prepare: (dir) => writeCompose(dir, replicated(30)),
    runOnce: (ctx, tool, n) => timedUp(ctx, tool, n, "scale", ["up", "-d"], 30),
  },
  {
    name: "config",
    title: "config of a 300-service file",
    tables: { config: "`config`, 300 services (env, ports, volumes, depends_on, labels)" },
    prepare: (dir) => writeCompose(dir, large(300)),
    quick: true,
    runOnce: timedConfig,
  },
  {
    name: "typical",
    title: "config of six projects shaped like real ones (issue 19), beside Node's start-up",
    tables: Object.fromEntries(PROJECTS.map((p) => [p.id, `\`config --format json\`, ${p.label}`])),
    prepare: writeTypical,
    quick: true,
    floor: NODE_FLOOR,
    runOnce: typicalOnce,
  },
  {
    name: "ps",
    title: "ps on 20 running containers",
    tables: { ps: "`ps`, 20 running containers brought up once by the reference" },
    prepare: (dir) => writeCompose(dir, independent(20)),
    setup: setupPs,
    quick: true,
    runOnce: timedPs,
    teardown: (ctx, scenario) =>
      teardown(ctx, ctx.reference ?? ctx.tcompose, scenario.project, scenario.file),
  },
  {
    name: "up300",
    title: "300 independent services",
    tables: { up: "`up -d`, 300 independent services", down: "`down`, the same 300 services" },
    prepare: (dir) => writeCompose(dir, independent(300)),
    runOnce: (ctx, tool, n) => upThenDown(ctx, tool, n, "up300", 300, LARGE_TIMEOUT_MS),
  },
  {
    name: "replicas100",
    title: "one service, 100 replicas",
    tables: { up: "`up -d`, `deploy.replicas: 100`", down: "`down`, the same 100 replicas" },
    prepare: (dir) => writeCompose(dir, replicated(100)),
    runOnce: (ctx, tool, n) => upThenDown(ctx, tool, n, "replicas100", 100, LARGE_TIMEOUT_MS),
  },
  {
    name: "logs",
    title: `logs of ${LOG_CONTAINERS} containers × ${LOG_LINES.toLocaleString("en")} lines`,
    tables: {
      logs: `\`logs --no-color\` into a pipe, ${LOG_CONTAINERS} containers × ${LOG_LINES.toLocaleString("en")} lines (with peak RSS)`,
    },
    prepare: (dir) => writeCompose(dir, chatty(LOG_CONTAINERS, LOG_LINES)),
    setup: setupLogs,
    runOnce: timedLogs,
    teardown: (ctx, scenario) =>
      teardown(ctx, ctx.reference ?? ctx.tcompose, scenario.project, scenario.file),
  },
  {
    name: "build-cold",
    title: "cold build of examples/flask-redis",
    tables: {
      build:
        "`build`, examples/flask-redis with no cached step (unique requirements.txt, pip cache mount emptied)",
    },
    prepare: (dir) => dir,
    floor: FLOOR,
    runOnce: buildCold,
  },
  {
    name: "build-rebuild",
    title: "rebuild of examples/flask-redis after a one-line change of app.py",
    tables: { build: "`build` after one line of app.py changed (cache warm: `COPY . .` onward reruns)" },
    prepare: (dir) => dir,
    floor: FLOOR,
    runOnce: buildRebuild,
    teardown: buildTeardown,
  },
  {
    name: "build-large",
    title: `rebuild of a ${LARGE_FILES.toLocaleString("en")}-file, ${LARGE_BYTES / 2 ** 20} MiB context after one file changed`,
    tables: {
      build: `\`build\` after one of ${LARGE_FILES.toLocaleString("en")} files (${LARGE_BYTES / 2 ** 20} MiB, \`COPY . /context/\`) changed`,
    },
    prepare: (dir) => dir,
    floor: FLOOR,
    runOnce: buildLarge,
    teardown: buildTeardown,
  },
  {
    name: "watch",
    title: `examples/flask-redis edit-to-served latency, and a ${TREE_FILES.toLocaleString("en")}-file tree`,
    tables: {
      latency: `\`watch --no-up\`: host write of static/bench.txt → new content served by the container, median of ${EDITS} edits (RSS column: VmRSS of the watch process after them)`,
      p95: `The same ${EDITS} edits, 95th percentile (nearest rank)`,
      start: `\`watch --no-up\` over ${TREE_FILES.toLocaleString("en")} files (node_modules in .dockerignore): spawn → "Watch enabled" (RSS column: VmRSS right after)`,
      cpuStart: 'The same watch: CPU time (utime + stime) from spawn to "Watch enabled", in seconds',
      cpuIdle: "The same watch: CPU time over the next 5 s with no change, in seconds",
    },
    prepare: (dir) => dir,
    setup: watchSetup,
    runOnce: watchOnce,
    teardown: watchTeardown,
  },
  {
    name: "stack",
    title: "`stack deploy` of 20 services × 3 replicas on the test swarm, until all 60 tasks run",
    tables: {
      wait: "`stack deploy --detach=false`, 20 services × 3 replicas: spawn → exit (60 tasks checked running), against docker's own wait",
      poll: "The same tcompose deploy, against docker 20.10's `stack deploy` followed by `docker service ls` polled until every service shows 3/3",
    },
    prepare: stackPrepare,
    setup: stackSetup,
    floor: STACK_FLOOR,
    runOnce: stackOnce,
  },
];

async function timedUp(ctx, tool, n, name, args, expected) {
  const file = ctx.files[name];
  const project = projectName(ctx, name, tool, n);
  try {
    return { up: await checkedUp(ctx, tool, project, file, args, expected) };
  } finally {
    await teardown(ctx, tool, project, file);
  }
}

// An up that exits 0 without starting everything must not pass for a fast up.
async function checkedUp(ctx, tool, project, file, args, expected, timeoutMs = UP_TIMEOUT_MS) {
  const outcome = await invoke(ctx, tool, { project, file, args, timeoutMs });
  if (outcome.status !== "ok") return outcome;
  const running = await countContainers(project, { runningOnly: true });
  return failUnless(outcome, running === expected, `${running} of ${expected} containers running after up`);
}

async function upThenDown(ctx, tool, n, name, expected, timeoutMs = UP_TIMEOUT_MS) {
  const file = ctx.files[name];
  const project = projectName(ctx, name, tool, n);
  try {
    const up = await checkedUp(ctx, tool, project, file, ["up", "-d"], expected, timeoutMs);
    // When this tool cannot bring the project up, the reference does, so its down is still measured.
    const ready = up.status === "ok" || (await upWithReference(ctx, project, file, expected, timeoutMs));
    const down = ready
      ? await checkedDown(ctx, tool, project, file, timeoutMs)
      : { ...up, message: `needs up: ${up.message}` };
    return { up, down };
  } finally {
    await teardown(ctx, tool, project, file, timeoutMs);
  }
}

async function upWithReference(ctx, project, file, expected, timeoutMs) {
  if (!ctx.reference) return false;
  await sweep(project);
  const outcome = await checkedUp(ctx, ctx.reference, project, file, ["up", "-d"], expected, timeoutMs);
  return outcome.status === "ok";
}

async function checkedDown(ctx, tool, project, file, timeoutMs = UP_TIMEOUT_MS) {
  const outcome = await invoke(ctx, tool, { project, file, args: ["down"], timeoutMs });
  if (outcome.status !== "ok") return outcome;
  const left = await countContainers(project);
  return failUnless(outcome, left === 0, `${left} containers left after down`);
}

async function timedConfig(ctx, tool, n) {
  // config only reads files: nothing is created in the engine, so there is nothing to tear down.
  const project = projectName(ctx, "config", tool, n);
  const outcome = await invoke(ctx, tool, {
    project,
    file: ctx.files.config,
    args: ["config"],
    timeoutMs: 60_000,
  });
  return { config: failUnless(outcome, outcome.stdout?.includes("svc-300:"), "output lacks svc-300") };
}

// ps is measured on one project made by the reference: tcompose must read projects it did not create.
async function setupPs(ctx, scenario) {
  scenario.file = ctx.files.ps;
  scenario.project = `bench-ps-shared-${ctx.token}`;
  const maker = ctx.reference ?? ctx.tcompose;
  const up = await checkedUp(ctx, maker, scenario.project, scenario.file, ["up", "-d"], 20);
  // The engine keeps working for a few seconds after 20 starts (the load average shows it): ps is the
  // command users run on a stack that is up, not one still starting.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  // If tcompose had to make the project and cannot yet, ps is "not yet" too, not a failure.
  scenario.setupError =
    up.status === "ok" ? null : { status: up.status, message: `setup by ${maker.name}: ${up.message}` };
}

async function timedPs(ctx, tool, _n, scenario) {
  if (scenario.setupError) return { ps: scenario.setupError };
  const outcome = await invoke(ctx, tool, { project: scenario.project, file: scenario.file, args: ["ps"] });
  const rows = (outcome.stdout ?? "").split("\n").filter((line) => line.includes(`${scenario.project}-`));
  return { ps: failUnless(outcome, rows.length === 20, `ps listed ${rows.length} of 20 containers`) };
}

// logs reads one project made once by the reference: containers that printed their lines and exited.
async function setupLogs(ctx, scenario) {
  scenario.file = ctx.files.logs;
  scenario.project = `bench-logs-shared-${ctx.token}`;
  const maker = ctx.reference ?? ctx.tcompose;
  const up = await invoke(ctx, maker, {
    project: scenario.project,
    file: scenario.file,
    args: ["up", "-d"],
    timeoutMs: UP_TIMEOUT_MS,
  });
  let problem = up.status === "ok" ? null : `setup by ${maker.name}: ${up.message}`;
  if (!problem) {
    const ids = await projectContainers(scenario.project);
    const waited = ids.length ? await run("docker", ["wait", ...ids]) : { stdout: "" };
    const codes = waited.stdout.split("\n").filter(Boolean);
    if (ids.length !== LOG_CONTAINERS || codes.some((c) => c !== "0"))
      problem = `setup: ${ids.length} containers, exit codes ${codes.join(" ")}`;
  }
  scenario.setupError = problem
    ? { status: up.status === "notyet" ? "notyet" : "failed", message: problem }
    : null;
}

async function timedLogs(ctx, tool, _n, scenario) {
  if (scenario.setupError) return { logs: scenario.setupError };
  const outcome = await invoke(ctx, tool, {
    project: scenario.project,
    file: scenario.file,
    args: ["logs", "--no-color"],
    timeoutMs: 300_000,
  });
  const expected = LOG_CONTAINERS * LOG_LINES;
  const lines = outcome.stdoutLines ?? 0;
  return { logs: failUnless(outcome, lines === expected, `logs printed ${lines} of ${expected} lines`) };
}

/**
 * `down -v --remove-orphans` by the reference when present (it is the one known to work), else by the
 * tool itself; then a sweep catches whatever down left.
 */
async function teardown(ctx, tool, project, file, timeoutMs = UP_TIMEOUT_MS) {
  const closer = ctx.reference ?? tool;
  try {
    await invoke(ctx, closer, {
      project,
      file,
      args: ["down", "-v", "--remove-orphans"],
      timeoutMs,
    });
  } finally {
    const swept = await sweep(project);
    if (swept) ctx.note(`${project}: swept ${swept} object(s) that down left behind`);
  }
}
