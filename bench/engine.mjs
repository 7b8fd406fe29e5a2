// Docker Engine queries through the docker CLI: facts for the report, sanity checks after a timed
// command, and the sweep that guarantees nothing of a run survives into the next one.
import { run } from "./measure.mjs";

const PROJECT_LABEL = "com.docker.compose.project";

export async function engineVersion() {
  const res = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
  return res.code === 0 ? res.stdout.trim() : `unavailable (${firstLine(res.stderr)})`;
}

/** Containers of a project, counted by the compose label both tools must set. */
export async function countContainers(project, { runningOnly = false } = {}) {
  const args = ["ps", "-q", "--filter", `label=${PROJECT_LABEL}=${project}`];
  const res = await run("docker", runningOnly ? args : [...args, "-a"]);
  return res.stdout.split("\n").filter(Boolean).length;
}

/** Ids of a project's containers, stopped ones too. */
export async function projectContainers(project) {
  const res = await run("docker", ["ps", "-aq", "--filter", `label=${PROJECT_LABEL}=${project}`]);
  return res.stdout.split("\n").filter(Boolean);
}

/**
 * Removes every container, network and volume of a project, by label and by name prefix (a tool
 * with a labelling bug must not leak into the next run). Returns how many objects it had to remove.
 */
export async function sweep(project) {
  const containers = await ids(["ps", "-aq"], project);
  if (containers.length) await run("docker", ["rm", "-f", "-v", ...containers]);
  const networks = await ids(["network", "ls", "-q"], project);
  if (networks.length) await run("docker", ["network", "rm", ...networks]);
  const volumes = await ids(["volume", "ls", "-q"], project);
  if (volumes.length) await run("docker", ["volume", "rm", "-f", ...volumes]);
  return containers.length + networks.length + volumes.length;
}

// Union of the label match and the name match; `name=` is a substring filter, so callers pass a
// name that cannot be the prefix of another run's (the run token comes last).
async function ids(list, project) {
  const byLabel = await run("docker", [...list, "--filter", `label=${PROJECT_LABEL}=${project}`]);
  const byName = await run("docker", [...list, "--filter", `name=${project}`]);
  const all = `${byLabel.stdout}\n${byName.stdout}`.split("\n").filter(Boolean);
  return [...new Set(all)];
}

export function firstLine(text) {
  return (
    String(text ?? "")
      .split("\n")
      .find((line) => line.trim()) ?? ""
  ).trim();
}
