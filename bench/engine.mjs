// Docker Engine queries through the docker CLI (the build cache through the engine's API): facts for the
// report, sanity checks after a timed command, and the sweep that guarantees nothing of a run survives
// into the next one.
import http from "node:http";
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

/** An image's id (`sha256:…`) and labels, or null when the engine has no such image. */
export async function inspectImage(ref) {
  const res = await run("docker", ["image", "inspect", "--format", "{{.Id}} {{json .Config.Labels}}", ref]);
  if (res.code !== 0) return null;
  const [id, ...labels] = res.stdout.trim().split(" ");
  return { id, labels: JSON.parse(labels.join(" ") || "null") ?? {} };
}

/** Removes images by name or id, quietly: a name already gone or an id still tagged elsewhere is fine. */
export async function removeImages(refs) {
  for (const ref of new Set(refs.filter(Boolean))) await run("docker", ["rmi", ref]);
}

/** Images whose name contains `token` (every image a bench run tags carries its token). */
export async function imagesNamed(token) {
  const res = await run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
  return res.stdout.split("\n").filter((name) => name.includes(token));
}

/** The unix socket of the engine: DOCKER_HOST when it names one, else the default. */
export function engineSocket(env = process.env) {
  const host = env.DOCKER_HOST ?? "";
  return host.startsWith("unix://") ? host.slice("unix://".length) : "/var/run/docker.sock";
}

function engineRequest(method, path) {
  return engineApi(engineSocket(), method, path);
}

/**
 * One Engine API call over a unix socket; the parsed JSON body, or a thrown error naming the call (also when
 * `timeoutMs` passes first, when given).
 */
export function engineApi(socketPath, method, path, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
        ...(timeoutMs ? { timeout: timeoutMs } : {}),
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    req.end(payload ?? undefined);
  });
}

/** The engine's build cache records (GET /system/df): ID, Type, Description, Size, InUse, CreatedAt…. */
export async function buildCacheRecords() {
  const df = await engineRequest("GET", "/system/df");
  return df?.BuildCache ?? [];
}

/** Removes build cache records by id, one request each (the engine takes one value per filter). */
export async function pruneBuildCache(ids) {
  let removed = 0;
  for (const id of ids) {
    const filters = encodeURIComponent(JSON.stringify({ id: [id] }));
    const res = await engineRequest("POST", `/build/prune?all=true&filters=${filters}`);
    removed += res?.CachesDeleted?.length ?? 0;
  }
  return removed;
}

/**
 * Removes the build cache's cache-mount records whose description names `target` (e.g. the pip cache
 * of `RUN --mount=type=cache,target=/root/.cache/pip`), and only those: the engine's other cache,
 * which other work on the machine may rely on, stays. Returns how many it removed.
 */
export async function pruneCacheMounts(target) {
  const records = await buildCacheRecords();
  const ids = records
    .filter((r) => r.Type === "exec.cachemount" && r.Description?.includes(`cached mount ${target} `))
    .map((r) => r.ID);
  return pruneBuildCache(ids);
}
