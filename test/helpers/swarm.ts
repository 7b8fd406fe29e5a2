import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "./paths.js";

/**
 * The test Swarm of scripts/swarm.sh: TCS_NODES (default 3) dockerd instances in their own network
 * namespaces, node 1 the manager. It is not the engine of the other tests, which stays out of Swarm mode.
 */
export const swarmNodes = Number(process.env.TCS_NODES ?? 3);
const runDir = process.env.TCS_RUN ?? "/run/tcompose-swarm";
const managerSocket = `${runDir}/node1.sock`;
export const managerHost = `unix://${managerSocket}`;
/** Each node's engine socket, node 1 (the manager) first. */
export const nodeSockets = Array.from({ length: swarmNodes }, (_, i) => `${runDir}/node${i + 1}.sock`);

const isRoot = process.getuid?.() === 0;

/** Empty when the swarm tests can run: the cluster is up, or this process (root) may start it. */
export const swarmSkipNote =
  process.platform === "linux" && (isRoot || existsSync(managerSocket))
    ? ""
    : " [SKIPPED: no test swarm and not root; run: sudo bash scripts/swarm.sh up]";

function swarmScript(command: "up" | "status"): void {
  try {
    execFileSync("bash", ["scripts/swarm.sh", command], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`scripts/swarm.sh ${command} failed:\n${stdout}${stderr}`);
  }
}

/** Brings the cluster up (idempotent, left up for later files), or checks it is up when not root. */
export function ensureSwarm(): void {
  // A cluster whose manager answers is left as it is (a cheap check; `up` checks every node).
  const status = spawnSync("bash", ["scripts/swarm.sh", "status"], { cwd: repoRoot, stdio: "ignore" });
  if (status.status === 0) return;
  swarmScript(isRoot ? "up" : "status");
}

/** `scripts/swarm.sh up`: every node running and Ready again (after stopNodeEngine). */
export function swarmUp(): void {
  swarmScript("up");
}

/**
 * The test files' lock on the cluster, held by a `flock` child process until the returned function lets go
 * (or this process dies): shared by files that need every node, exclusive for a test that stops one.
 */
export async function holdSwarm(mode: "shared" | "exclusive"): Promise<() => void> {
  const child = spawn(
    "flock",
    [mode === "shared" ? "-s" : "-x", `${runDir}.tests.lock`, "-c", "echo held; exec cat"],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`flock ended (${code}) before holding the swarm lock`)));
  });
  return () => child.stdin.end();
}

/** For a file's beforeAll: the shared hold, then the cluster up; the returned function (afterAll) lets go. */
export async function useSwarm(): Promise<() => void> {
  const release = await holdSwarm("shared");
  try {
    ensureSwarm();
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The docker CLI against one node of the cluster (the manager unless `host` says otherwise). */
export function swarmDocker(args: string[], host = managerHost): Run {
  const r = spawnSync("docker", args, {
    encoding: "utf8",
    env: { ...process.env, DOCKER_HOST: host, DOCKER_CONTEXT: "" },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Like swarmDocker, and throws with the command's output unless it succeeds. */
export function swarmDockerOk(args: string[], host = managerHost): string {
  const r = swarmDocker(args, host);
  if (r.status !== 0)
    throw new Error(`docker ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The DOCKER_HOST of a node, by hostname or ID (each node's engine carries its socket as a label). */
export function nodeHost(node: string): string {
  return swarmDockerOk([
    "node",
    "inspect",
    node,
    "--format",
    '{{index .Description.Engine.Labels "tcompose.swarm.socket"}}',
  ]).trim();
}

export interface Task {
  id: string;
  node: string;
  state: string;
}

/** The tasks of a service that should be running (their desired state is running). */
export function serviceTasks(service: string): Task[] {
  const out = swarmDockerOk([
    "service",
    "ps",
    service,
    "--filter",
    "desired-state=running",
    "--no-trunc",
    "--format",
    "{{.ID}}\t{{.Node}}\t{{.CurrentState}}",
  ]);
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id = "", node = "", state = ""] = line.split("\t");
      return { id, node, state };
    });
}

/** Waits until `count` tasks of the service run (a task that failed makes it throw with its error). */
export async function waitRunning(service: string, count: number, timeoutMs = 90_000): Promise<Task[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = serviceTasks(service);
    const running = tasks.filter((t) => t.state.startsWith("Running"));
    if (running.length >= count) return running;
    if (Date.now() > deadline) {
      const errors = swarmDocker([
        "service",
        "ps",
        service,
        "--no-trunc",
        "--format",
        "{{.Node}} {{.Error}}",
      ]);
      throw new Error(`${service}: ${running.length} of ${count} tasks running:\n${errors.stdout}`);
    }
    await sleep(250);
  }
}

/** Waits for the one task of a single-replica service to run, and returns it. */
export async function waitTask(service: string): Promise<Task> {
  const [task] = await waitRunning(service, 1);
  if (!task) throw new Error(`${service}: no running task`);
  return task;
}

/** The container a task runs, on its node: [DOCKER_HOST of the node, container ID]. */
export function taskContainer(task: Task): [string, string] {
  const id = swarmDockerOk([
    "inspect",
    task.id,
    "--format",
    "{{.Status.ContainerStatus.ContainerID}}",
  ]).trim();
  return [nodeHost(task.node), id];
}

/** Runs scripts/swarm.sh up (idempotent): starts whatever node is not running, e.g. one a test stopped. */

/**
 * Stops the dockerd of node `n` (SIGTERM to the pid in its pid file) and waits until it has exited; the node
 * keeps its namespace and data, so `swarmUp()` starts it again (`ensureSwarm()` leaves it stopped).
 */
export async function stopNodeEngine(n: number, timeoutMs = 60_000): Promise<void> {
  const pid = Number(readFileSync(`${runDir}/node${n}.pid`, "utf8").trim());
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (alive()) {
    if (Date.now() > deadline) throw new Error(`dockerd of node ${n} (pid ${pid}) still runs`);
    await sleep(200);
  }
}

/** Removes services and then networks, whatever exists of them (for afterAll). */
export async function removeSwarmObjects(services: string[], networks: string[]): Promise<void> {
  if (services.length > 0) swarmDocker(["service", "rm", ...services]);
  // A network is in use until the services' tasks are gone on every node.
  const deadline = Date.now() + 60_000;
  for (const network of networks) {
    while (swarmDocker(["network", "inspect", network]).status === 0) {
      if (swarmDocker(["network", "rm", network]).status === 0 || Date.now() > deadline) break;
      await sleep(250);
    }
  }
}
