// The two tools under comparison and how one invocation's result is classified: ok, "not yet"
// (tcompose says so, or is not built), or failed with a one-line reason for the table.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { firstLine } from "./engine.mjs";
import { runTimed } from "./measure.mjs";

/** The reference's path, asked of scripts/reference.sh so there is one place that knows it. */
export function findReference(root) {
  const res = spawnSync("bash", [join(root, "scripts", "reference.sh"), "--path"], { encoding: "utf8" });
  const path = res.status === 0 ? res.stdout.trim() : "";
  return path && existsSync(path) ? path : null;
}

export function referenceVersion(path) {
  const res = spawnSync(path, ["version", "--short"], { encoding: "utf8" });
  return res.status === 0 ? res.stdout.trim() : "unknown";
}

/**
 * The docker configuration directory whose cli-plugins/ holds docker-buildx (scripts/reference.sh installs
 * it), where the reference's builds should run; null when the plugin is missing. (2.26.1 here builds with
 * BuildKit without it too; builds.mjs checks every image was built by BuildKit.)
 */
export function buildkitConfigDir(root) {
  const dir = join(root, ".cache", "reference", "buildkit-config");
  return existsSync(join(dir, "cli-plugins", "docker-buildx")) ? dir : null;
}

/**
 * The environment both tools build in: DOCKER_CONFIG at the buildx plugin's directory when it is there,
 * DOCKER_BUILDKIT unset so neither falls back to the classic builder.
 */
export function buildEnv(root, env) {
  const dir = buildkitConfigDir(root);
  const { DOCKER_BUILDKIT: _classic, ...rest } = env;
  return dir ? { ...rest, DOCKER_CONFIG: dir } : rest;
}

export function referenceTool(path) {
  return { id: "ref", name: "reference", command: () => ({ cmd: path, args: [] }) };
}

/** tcompose runs from its build; the build can appear or vanish while other engineers work, so it is
 * looked up on every invocation. */
export function tcomposeTool(root) {
  const entry = join(root, "dist", "tcompose.cjs");
  return {
    id: "tc",
    name: "tcompose",
    command: () => (existsSync(entry) ? { cmd: process.execPath, args: [entry] } : null),
  };
}

export function projectName(ctx, scenario, tool, n) {
  // The run token comes last so one project's name is never a prefix of another's (see sweep).
  return `bench-${scenario}-${tool.id}-${n}-${ctx.token}`;
}

/**
 * Runs `<tool> -p project -f file ...args` timed and classifies it.
 * @returns {Promise<{status: "ok"|"notyet"|"failed", seconds?: number, rssKiB?: number|null,
 *   message?: string, stdout?: string, stdoutLines?: number}>}
 */
export async function invoke(ctx, tool, { project, file, args, timeoutMs, env = ctx.env }) {
  const base = tool.command();
  if (!base) return { status: "notyet", message: "dist/tcompose.cjs is not built" };
  const argv = [...base.args, "-p", project, "-f", file, ...args];
  const res = await runTimed(base.cmd, argv, {
    cwd: ctx.workDir,
    env,
    timeBin: ctx.timeBin,
    scratch: ctx.workDir,
    timeoutMs,
  });
  return classify(tool, res);
}

function classify(tool, res) {
  if (res.code === 0)
    return {
      status: "ok",
      seconds: res.seconds,
      rssKiB: res.rssKiB,
      stdout: res.stdout,
      stdoutLines: res.stdoutLines,
    };
  const text = `${res.stderr}\n${res.stdout}`;
  if (tool.id === "tc" && /not implemented/i.test(text))
    return { status: "notyet", message: firstLine(text) };
  return { status: "failed", message: failureLine(text) || `exit code ${res.code}` };
}

// Compose prints progress lines (" Container x  Creating") on stderr before the error, so the
// literal first line is useless; take the first line that is not progress.
function failureLine(text) {
  const lines = text.split("\n").map((line) => line.trim());
  const progress =
    /^(Network|Container|Volume|Image)\s.*\s(Creating|Created|Starting|Started|Waiting|Healthy|Stopping|Stopped|Removing|Removed|Running|Recreate|Recreated|Pulling|Pulled|Building|Built|Error)$/;
  // A BuildKit build prints "#5 [web 2/5] COPY …" steps and its logs before the error: take the last
  // line that says it failed.
  if (lines.some((line) => /^#\d+\s/.test(line))) {
    const failed = lines.filter((line) => /fail|error/i.test(line) && !/^#\d+\s/.test(line)).pop();
    if (failed) return failed;
  }
  const building = /^\S+\s+(Building|Built)$/;
  return lines.find((line) => line && !progress.test(line) && !building.test(line)) ?? "";
}

/** Marks a checked invocation as failed when the engine's state contradicts its exit code. */
export function failUnless(outcome, condition, message) {
  return outcome.status === "ok" && !condition ? { status: "failed", message } : outcome;
}
