// The benchmark scenarios. Each timed run gets its own project name and is torn down in a finally,
// then swept, so no run inherits containers, networks or volumes from the one before.
import { countContainers, sweep } from "./engine.mjs";
import { chain, healthyStack, independent, large, replicated, writeCompose } from "./fixtures.mjs";
import { failUnless, invoke } from "./tools.mjs";

const UP_TIMEOUT_MS = 180_000;

/**
 * A scenario: `prepare(dir)` writes its compose file, optional `setup`/`teardown` run once around all
 * runs, and `runOnce(ctx, tool, n)` returns one outcome per table key. A quick read-only command (`quick`)
 * gets one untimed run per tool first (caches filled, as in daily use: tcompose's code cache, both tools'
 * pages) and three times the runs, since one run there is a fraction of a second and noisy.
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
];

export function projectName(ctx, scenario, tool, n) {
  // The run token comes last so one project's name is never a prefix of another's (see sweep).
  return `bench-${scenario}-${tool.id}-${n}-${ctx.token}`;
}

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
async function checkedUp(ctx, tool, project, file, args, expected) {
  const outcome = await invoke(ctx, tool, { project, file, args, timeoutMs: UP_TIMEOUT_MS });
  if (outcome.status !== "ok") return outcome;
  const running = await countContainers(project, { runningOnly: true });
  return failUnless(outcome, running === expected, `${running} of ${expected} containers running after up`);
}

async function upThenDown(ctx, tool, n, name, expected) {
  const file = ctx.files[name];
  const project = projectName(ctx, name, tool, n);
  try {
    const up = await checkedUp(ctx, tool, project, file, ["up", "-d"], expected);
    // When this tool cannot bring the project up, the reference does, so its down is still measured.
    const ready = up.status === "ok" || (await upWithReference(ctx, project, file, expected));
    const down = ready
      ? await checkedDown(ctx, tool, project, file)
      : { ...up, message: `needs up: ${up.message}` };
    return { up, down };
  } finally {
    await teardown(ctx, tool, project, file);
  }
}

async function upWithReference(ctx, project, file, expected) {
  if (!ctx.reference) return false;
  await sweep(project);
  const outcome = await checkedUp(ctx, ctx.reference, project, file, ["up", "-d"], expected);
  return outcome.status === "ok";
}

async function checkedDown(ctx, tool, project, file) {
  const outcome = await invoke(ctx, tool, { project, file, args: ["down"], timeoutMs: UP_TIMEOUT_MS });
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

/**
 * `down -v --remove-orphans` by the reference when present (it is the one known to work), else by the
 * tool itself; then a sweep catches whatever down left.
 */
async function teardown(ctx, tool, project, file) {
  const closer = ctx.reference ?? tool;
  try {
    await invoke(ctx, closer, {
      project,
      file,
      args: ["down", "-v", "--remove-orphans"],
      timeoutMs: UP_TIMEOUT_MS,
    });
  } finally {
    const swept = await sweep(project);
    if (swept) ctx.note(`${project}: swept ${swept} object(s) that down left behind`);
  }
}
