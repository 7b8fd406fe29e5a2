// The build scenarios: both tools build with BuildKit through the engine (in buildEnv, tools.mjs), and the
// floor is the engine alone, given the context as a tar by curl. Every timed build is checked: the image
// must exist afterwards, built by BuildKit, and differ from the one before a rebuild.
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildCacheRecords,
  engineSocket,
  firstLine,
  inspectImage,
  pruneBuildCache,
  pruneCacheMounts,
  removeImages,
} from "./engine.mjs";
import { writeCopyAllBuild, writeLargeContext } from "./fixtures.mjs";
import { run, runTimed, waitForQuiet } from "./measure.mjs";
import { failUnless, invoke, projectName } from "./tools.mjs";

const BUILD_TIMEOUT_MS = 600_000;
export const LARGE_FILES = 10_000;
export const LARGE_BYTES = 200 * 2 ** 20;
const PIP_CACHE = "/root/.cache/pip";

/** The pseudo-tool that stands for the engine alone in the build scenarios. */
export const FLOOR = {
  id: "floor",
  name: "engine alone",
  label: "engine alone (`curl` POSTs the context tar to `/build?version=2`)",
};

function example(ctx) {
  return join(ctx.root, "examples", "flask-redis");
}

/**
 * build-cold: a fresh copy of examples/flask-redis per run, its requirements.txt ending in a comment that
 * names the run, so no step after FROM can come from the cache; the pip cache mount is emptied first. The
 * FROM image stays local, as it would on any machine that built before.
 */
export async function buildCold(ctx, tool, n, scenario) {
  const dir = join(ctx.files[scenario.name], `${tool.id}-${n}`);
  const project = projectName(ctx, scenario.name, tool, n);
  const tag = `${project}-web`;
  try {
    cpSync(example(ctx), dir, { recursive: true });
    appendFileSync(join(dir, "requirements.txt"), `# ${project}\n`);
    await pruneCacheMounts(PIP_CACHE);
    await settle();
    if (await inspectImage(tag))
      return { build: { status: "failed", message: `${tag} exists before the build` } };
    const outcome = await buildOnce(ctx, tool, { project, dir, context: dir, tag });
    return { build: checkImage(outcome, await inspectImage(tag), tag) };
  } finally {
    await removeImages([tag]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** build-rebuild: build (untimed), change one line of app.py, build again (timed): only `COPY . .` reruns. */
export async function buildRebuild(ctx, tool, n, scenario) {
  const dir = join(ctx.files[scenario.name], tool.id);
  if (!existsSync(dir)) cpSync(example(ctx), dir, { recursive: true });
  return rebuild(ctx, tool, scenario, { dir, context: dir, service: "web" }, () => {
    const file = join(dir, "app.py");
    const lines = readFileSync(file, "utf8").split("\n");
    lines[0] = `"""The visit counter (${projectName(ctx, scenario.name, tool, n)}): every request increments a counter."""`;
    writeFileSync(file, lines.join("\n"));
  });
}

/**
 * build-large: 10,000 files / 200 MiB of deterministic bytes, written once per tool (each tool keeps its
 * own directory, so each rebuild differs from that tool's previous one by one file); a Dockerfile that
 * COPYs it all. Timed: the rebuild after one file changed.
 */
export async function buildLarge(ctx, tool, n, scenario) {
  const dir = join(ctx.files[scenario.name], tool.id);
  if (!existsSync(dir)) {
    mkdirSync(join(dir, "context"), { recursive: true });
    writeLargeContext(join(dir, "context"), LARGE_FILES, LARGE_BYTES);
    writeCopyAllBuild(dir, "context");
  }
  const context = join(dir, "context");
  return rebuild(ctx, tool, scenario, { dir, context, service: "app" }, () => {
    // Same size, new first bytes: one file's content changes, nothing else.
    const file = join(context, "d050", "f050.bin");
    const bytes = readFileSync(file);
    bytes.write(`${projectName(ctx, scenario.name, tool, n)}\n`.padEnd(64, "."), 0);
    writeFileSync(file, bytes);
  });
}

/**
 * One project per tool for the whole scenario: run 1 builds first (untimed), every run then changes the
 * context and rebuilds (timed), so each timed build starts from the tool's previous image. A failed run
 * makes the next one build first again.
 */
async function rebuild(ctx, tool, scenario, { dir, context, service }, change) {
  const project = projectName(ctx, scenario.name, tool, 0);
  const tag = `${project}-${service}`;
  scenario.tags ??= new Set();
  scenario.tags.add(tag);
  scenario.ready ??= {};
  let before = scenario.ready[tool.id] ? (await inspectImage(tag))?.id : null;
  if (!before) {
    const first = await tracked(scenario, () => buildOnce(ctx, tool, { project, dir, context, tag }));
    if (first.status !== "ok") return { build: { ...first, message: `first build: ${first.message}` } };
    before = (await inspectImage(tag))?.id;
    if (!before) return { build: { status: "failed", message: `no image ${tag} after the first build` } };
  }
  scenario.ready[tool.id] = false;
  change();
  await settle();
  const outcome = await tracked(scenario, () => buildOnce(ctx, tool, { project, dir, context, tag }));
  const image = await inspectImage(tag);
  const result = failUnless(
    checkImage(outcome, image, tag),
    image?.id !== before,
    "the image did not change after the edit",
  );
  if (result.status === "ok") {
    scenario.ready[tool.id] = true;
    await removeImages([before]); // untagged by the rebuild
  }
  return { build: result };
}

// The image must be there, and built by BuildKit: compose labels a classic build's image
// com.docker.compose.image.builder=classic (and the reference falls back to it without BuildKit).
function checkImage(outcome, image, tag) {
  if (!image) return failUnless(outcome, false, `no image ${tag} after the build`);
  const classic = image.labels["com.docker.compose.image.builder"] === "classic";
  return failUnless(outcome, !classic, "built with the classic builder, not BuildKit");
}

// The previous build's aftermath must not land in the timed one: its dirty pages (a 200 MiB layer is
// written twice, and the quiet wait counts I/O wait as idle) are flushed, then the CPU must be quiet.
async function settle() {
  await run("sync", []);
  await waitForQuiet();
}

// Build cache records that appear while one of our builds runs are that build's; those of 100 MiB or
// more (the large context's copies and layers) are removed at the end of the scenario, and only those.
// Sizes are read then: the engine may not have computed a new record's size right after the build.
const LARGE_RECORD = 100 * 2 ** 20;

async function tracked(scenario, build) {
  if (scenario.name !== "build-large") return build();
  const known = new Set((await buildCacheRecords()).map((r) => r.ID));
  try {
    return await build();
  } finally {
    scenario.records ??= new Set();
    for (const r of await buildCacheRecords()) if (!known.has(r.ID)) scenario.records.add(r.ID);
  }
}

/** After the runs: the rebuilt images, and for build-large the 200 MiB cache records its builds made. */
export async function buildTeardown(ctx, scenario) {
  await removeImages([...(scenario.tags ?? [])]);
  if (!scenario.records?.size) return;
  try {
    const ours = (await buildCacheRecords()).filter(
      (r) => scenario.records.has(r.ID) && r.Size >= LARGE_RECORD,
    );
    await pruneBuildCache(ours.map((r) => r.ID));
  } catch (err) {
    ctx.note(`${scenario.name}: could not remove its build cache records (${err?.message ?? err})`);
  }
}

/** One build, timed: `<tool> build` in the build environment, or for the floor curl with the context tar. */
async function buildOnce(ctx, tool, { project, dir, context, tag }) {
  if (tool.id === FLOOR.id) return floorBuild(ctx, context, tag);
  return invoke(ctx, tool, {
    project,
    file: join(dir, "compose.yaml"),
    args: ["build"],
    env: ctx.buildEnv,
    timeoutMs: BUILD_TIMEOUT_MS,
  });
}

/**
 * The engine alone: the context as a tar (made untimed, without what .dockerignore names) POSTed to
 * `/build?version=2` by curl, no session. The time is curl's, from spawn to exit.
 */
async function floorBuild(ctx, context, tag) {
  const tar = join(ctx.workDir, `${tag}.tar`);
  try {
    const excludes = ignored(context).flatMap((name) => ["--exclude", `./${name}`]);
    const made = await run("tar", ["-cf", tar, ...excludes, "-C", context, "."]);
    if (made.code !== 0) return { status: "failed", message: `tar: ${firstLine(made.stderr)}` };
    const res = await runTimed(
      "curl",
      [
        "-sS",
        "--fail",
        "--unix-socket",
        engineSocket(ctx.env),
        "-X",
        "POST",
        "-H",
        "Content-Type: application/x-tar",
        "-H",
        "Expect:",
        "-T",
        tar,
        `http://localhost/build?version=2&t=${encodeURIComponent(tag)}`,
      ],
      { env: ctx.env, timeoutMs: BUILD_TIMEOUT_MS },
    );
    if (res.code !== 0)
      return { status: "failed", message: firstLine(res.stderr) || `curl exit ${res.code}` };
    const error = /"error":"((?:[^"\\]|\\.)*)"/.exec(res.stdout);
    if (error) return { status: "failed", message: error[1] };
    return { status: "ok", seconds: res.seconds, rssKiB: null };
  } finally {
    rmSync(tar, { force: true });
  }
}

// The plain names in the context's .dockerignore (the example's are README.md, compose.yaml, __pycache__/).
function ignored(context) {
  const file = join(context, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim().replace(/\/$/, ""))
    .filter((line) => line && !line.startsWith("#") && /^[\w.-]+$/.test(line));
}
