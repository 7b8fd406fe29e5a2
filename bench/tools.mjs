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

/**
 * Runs `<tool> -p project -f file ...args` timed and classifies it.
 * @returns {Promise<{status: "ok"|"notyet"|"failed", seconds?: number, rssKiB?: number|null,
 *   message?: string, stdout?: string, stdoutLines?: number}>}
 */
export async function invoke(ctx, tool, { project, file, args, timeoutMs }) {
  const base = tool.command();
  if (!base) return { status: "notyet", message: "dist/tcompose.cjs is not built" };
  const argv = [...base.args, "-p", project, "-f", file, ...args];
  const res = await runTimed(base.cmd, argv, {
    cwd: ctx.workDir,
    env: ctx.env,
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
    /^(Network|Container|Volume|Image)\s.*\s(Creating|Created|Starting|Started|Waiting|Healthy|Stopping|Stopped|Removing|Removed|Running|Recreate|Recreated|Pulling|Pulled|Error)$/;
  return lines.find((line) => line && !progress.test(line)) ?? "";
}

/** Marks a checked invocation as failed when the engine's state contradicts its exit code. */
export function failUnless(outcome, condition, message) {
  return outcome.status === "ok" && !condition ? { status: "failed", message } : outcome;
}
