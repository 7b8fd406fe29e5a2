// `tcompose stack deploy` on the 3-node test swarm of scripts/swarm.sh (issue 18, "Test cluster"): placement,
// global mode and spread, overlay DNS between nodes, a start-first rolling update, a failing update rolled
// back, secret rotation, depends_on, bad input, --dry-run, `stack rm`, and (last, alone) a worker's engine
// stopped. Each test has its own stack; the tests that do not stop a node run side by side (most of their
// time is waiting for tasks to start). The fixtures are test/fixtures/stack-cluster/*.
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmNode, SwarmService, SwarmTask } from "../../src/project/engine/swarm-types.js";
import { repoRoot } from "../helpers/paths.js";
import { api, oracle, removeStack, stackObjects, tcomposeOnSwarm } from "../helpers/stack.js";
import {
  holdSwarm,
  type Run,
  stopNodeEngine,
  swarmDocker,
  swarmDockerOk,
  swarmNodes,
  swarmSkipNote,
  swarmUp,
  taskContainer,
  useSwarm,
} from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

const fixtures = join(repoRoot, "test/fixtures/stack-cluster");
const skipNote =
  swarmSkipNote || (swarmNodes < 3 ? ` [SKIPPED: needs 3 nodes, TCS_NODES=${swarmNodes}]` : "");

/** tcompose against the test swarm's manager (or `env.DOCKER_HOST`), without blocking the event loop. */
const tcompose = tcomposeOnSwarm;

/** `stack deploy -c FILE… NAME` from `dir`, waiting for convergence unless `extra` says otherwise. */
function deploy(
  dir: string,
  name: string,
  { files = ["compose.yaml"], extra = ["--detach=false"], env = {} as Record<string, string> } = {},
): Promise<Run> {
  return tcompose(["stack", "deploy", ...files.flatMap((f) => ["-c", f]), ...extra, name], dir, env);
}

const output = (r: Run) => `exit ${r.status}\n${r.stdout}${r.stderr}`;

const filters = (f: Record<string, string[]>) => encodeURIComponent(JSON.stringify(f));

/** Every task of a service (the history too), as GET /tasks gives it. */
const tasksOf = (service: string) => api<SwarmTask[]>(`/tasks?filters=${filters({ service: [service] })}`);

/** The tasks that should run and do. */
const runningTasks = async (service: string) =>
  (await tasksOf(service)).filter((t) => t.DesiredState === "running" && t.Status.State === "running");

const inspectService = (service: string) => api<SwarmService>(`/services/${service}`);

async function hostnames(): Promise<Map<string, string>> {
  const nodes = await api<SwarmNode[]>("/nodes");
  return new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? ""]));
}

/** The hostnames of the nodes that run the service's tasks, sorted. */
async function nodesOf(service: string): Promise<string[]> {
  const [tasks, names] = await Promise.all([runningTasks(service), hostnames()]);
  return tasks.map((t) => names.get(t.NodeID ?? "") ?? "?").sort();
}

/** The container of a running task, on its node: [DOCKER_HOST, container ID]. */
async function containerOf(task: SwarmTask): Promise<[string, string]> {
  const names = await hostnames();
  return taskContainer({ id: task.ID, node: names.get(task.NodeID ?? "") ?? "", state: task.Status.State });
}

/** An engine timestamp (RFC 3339 with up to 9 fractional digits) in nanoseconds, to order events exactly. */
function nanos(timestamp: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!m) throw new Error(`not a timestamp: ${timestamp}`);
  const seconds = BigInt(Date.parse(`${m[1]}${m[3]}`)) * 1_000_000n;
  return seconds + BigInt((m[2] ?? "").padEnd(9, "0").slice(0, 9));
}

const sha12 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** A promise resolved from outside (a test that waits for another one's stack). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.skipIf(skipNote !== "")(`stack deploy on a 3-node swarm${skipNote}`, () => {
  const id = randomBytes(2).toString("hex");
  const stacks: string[] = [];
  const stackName = (what: string) => {
    const name = `tcsc-${what}-${id}`;
    stacks.push(name);
    return name;
  };
  const temps: string[] = [];

  // Shared with the other swarm files until the failover test, which takes the cluster for itself.
  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
  }, 300_000);
  afterAll(async () => {
    try {
      // The failover test restarts the node it stops; this makes sure of it, whatever happened.
      swarmUp();
      await Promise.all(stacks.map((name) => removeStack(name).catch(() => {})));
      for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    } finally {
      release();
    }
  }, 300_000);

  // The failover test's stack is deployed beside the others; the node stops only once they are done.
  const failover = stackName("failover");
  let failoverDeploy: Promise<Run> | undefined;

  describe.concurrent("side by side", () => {
    beforeAll(() => {
      failoverDeploy = deploy(join(fixtures, "failover"), failover);
    });

    const placement = stackName("place");
    let placed: Promise<Run> | undefined;
    /** The placement stack, deployed once for the tests that look at it. */
    const placementStack = () => {
      placed ??= deploy(join(fixtures, "placement"), placement);
      return placed;
    };

    it("runs a constrained service on its node, a global one once per node, and spreads replicas", async () => {
      const r = await placementStack();
      expect(r.status, output(r)).toBe(0);
      expect(await nodesOf(`${placement}_pinned`)).toEqual(["tcs-node2", "tcs-node2"]);
      expect(await nodesOf(`${placement}_everywhere`)).toEqual(["tcs-node1", "tcs-node2", "tcs-node3"]);
      expect(await nodesOf(`${placement}_spread`)).toEqual(["tcs-node1", "tcs-node2", "tcs-node3"]);
    }, 300_000);

    it("resolves a service on another node by name over the stack's overlay network", async () => {
      const r = await placementStack();
      expect(r.status, output(r)).toBe(0);
      const [from] = await runningTasks(`${placement}_pinned`);
      const [far] = await runningTasks(`${placement}_far`);
      if (!from || !far) throw new Error("no running task of pinned or far");
      const farTask = await api<{
        NetworksAttachments?: { Network: { Spec: { Name: string } }; Addresses: string[] }[];
      }>(`/tasks/${far.ID}`);
      const address = farTask.NetworksAttachments?.find(
        (a) => a.Network.Spec.Name === `${placement}_default`,
      )?.Addresses[0]?.replace(/\/\d+$/, "");
      expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

      // The name of a task on another node reaches this node by gossip some time after both run.
      const [host, container] = await containerOf(from);
      let lookup = swarmDocker(["exec", container, "nslookup", "far"], host);
      await waitFor(
        `far to resolve to ${address} on tcs-node2`,
        () => {
          lookup = swarmDocker(["exec", container, "nslookup", "far"], host);
          return lookup.stdout.includes(`Address: ${address}`);
        },
        90_000,
        () => `${lookup.stdout}${lookup.stderr}`,
      );
      const ping = swarmDocker(["exec", container, "ping", "-c1", "-W5", "far"], host);
      expect(ping.stdout).toContain("1 packets received");
    }, 300_000);

    it("updates start-first one task at a time: never fewer running than the replicas", async () => {
      const name = stackName("roll");
      const dir = join(fixtures, "rolling");
      const service = `${name}_app`;
      const first = await deploy(dir, name, { env: { REVISION: "1" } });
      expect(first.status, output(first)).toBe(0);
      expect(await runningTasks(service)).toHaveLength(2);

      // Running tasks counted while the update deploys (old ones stop only once their successor runs).
      const counts: number[] = [];
      let deploying = true;
      const update = deploy(dir, name, { env: { REVISION: "2" } }).finally(() => {
        deploying = false;
      });
      while (deploying) {
        counts.push((await tasksOf(service)).filter((t) => t.Status.State === "running").length);
        await sleep(100);
      }
      const second = await update;
      expect(second.status, output(second)).toBe(0);
      expect(Math.min(...counts), `running counts: ${counts.join(" ")}`).toBeGreaterThanOrEqual(2);

      const env = (t: SwarmTask) => t.Spec.ContainerSpec?.Env ?? [];
      const running = await runningTasks(service);
      expect(running.map(env)).toEqual([["REVISION=2"], ["REVISION=2"]]);
      expect((await inspectService(service)).UpdateStatus?.State).toBe("completed");
      // Each new task ran before the task of its slot that it replaced had stopped.
      let tasks: SwarmTask[] = [];
      const stopped = new Set(["shutdown", "complete", "failed", "rejected", "orphaned"]);
      await waitFor("the old tasks to stop", async () => {
        tasks = (await tasksOf(service)).filter((t) => env(t).includes("REVISION=1"));
        return tasks.length >= 2 && tasks.every((t) => stopped.has(t.Status.State));
      });
      for (const next of running) {
        // The slot's last old task is the one the update replaced.
        const old = tasks
          .filter((t) => t.Slot === next.Slot)
          .sort((a, b) => (nanos(a.Status.Timestamp) < nanos(b.Status.Timestamp) ? 1 : -1))[0];
        if (!old) throw new Error(`no old task in slot ${next.Slot}`);
        expect(old.Status.State).toBe("shutdown");
        expect(
          nanos(next.Status.Timestamp) < nanos(old.Status.Timestamp),
          `slot ${next.Slot}: new task running at ${next.Status.Timestamp}, old one stopped at ${old.Status.Timestamp}`,
        ).toBe(true);
      }
    }, 400_000);

    it("reports a failing update that rolls back, and the service runs the old spec again", async () => {
      const name = stackName("back");
      const dir = join(fixtures, "rollback");
      const service = `${name}_app`;
      const first = await deploy(dir, name);
      expect(first.status, output(first)).toBe(0);

      const failed = await deploy(dir, name, { files: ["compose.yaml", "broken.yaml"] });
      expect(failed.status, output(failed)).not.toBe(0);
      const message = `${failed.stdout}${failed.stderr}`;
      expect(message).toMatch(/\bapp\b/);
      expect(message).toMatch(/rollback/);
      expect(message).toContain("non-zero exit (3)");
      expect(failed.stderr).not.toMatch(/^\s+at /m);

      const after = await inspectService(service);
      expect(after.UpdateStatus?.State).toBe("rollback_completed");
      expect(after.Spec.TaskTemplate.ContainerSpec.Args).toEqual(["sleep", "3600"]);
      await waitFor("a task of the old spec to run", async () => {
        const running = await runningTasks(service);
        return running.length === 1 && running[0]?.Spec.ContainerSpec?.Args?.[0] === "sleep";
      });
    }, 400_000);

    const secretsDone = deferred();
    const secretStack = stackName("secret");

    it("rolls out a changed secret under a new versioned name and removes the unused old one", async () => {
      try {
        const dir = mkdtempSync(join(tmpdir(), "tcsc-secret-"));
        temps.push(dir);
        copyFileSync(join(fixtures, "secrets/compose.yaml"), join(dir, "compose.yaml"));
        const service = `${secretStack}_app`;
        const secrets = async () =>
          (await stackObjects(secretStack)).filter((o) => o.startsWith("secret ")).sort();
        const seen = async () => {
          const [task] = await runningTasks(service);
          if (!task) throw new Error(`no running task of ${service}`);
          const [host, container] = await containerOf(task);
          return swarmDockerOk(["exec", container, "cat", "/run/secrets/key"], host);
        };

        writeFileSync(join(dir, "key.txt"), "one");
        const first = await deploy(dir, secretStack);
        expect(first.status, output(first)).toBe(0);
        expect(await secrets()).toEqual([`secret ${secretStack}_key`]);
        expect(await seen()).toBe("one");

        writeFileSync(join(dir, "key.txt"), "two");
        const second = await deploy(dir, secretStack);
        expect(second.status, output(second)).toBe(0);
        const two = `${secretStack}_key-${sha12("two")}`;
        expect(second.stdout).toContain(`Creating secret ${two}`);
        // The first version stays while the service's previous spec (a rollback's target) uses it.
        expect(await secrets()).toEqual([`secret ${secretStack}_key`, `secret ${two}`]);
        expect(await seen()).toBe("two");

        // Once the service's spec and previous spec name other versions, the plain one goes (this deploy
        // does not wait for its update: the versions are pruned before that).
        writeFileSync(join(dir, "key.txt"), "three");
        const third = await deploy(dir, secretStack, { extra: [] });
        expect(third.status, output(third)).toBe(0);
        const three = `${secretStack}_key-${sha12("three")}`;
        expect(third.stdout).toContain(`Removing secret ${secretStack}_key\n`);
        expect(await secrets()).toEqual([`secret ${two}`, `secret ${three}`].sort());
      } finally {
        secretsDone.resolve();
      }
    }, 500_000);

    it("stack rm leaves nothing of the stack on the swarm or on any node", async () => {
      await secretsDone.promise;
      const before = await stackObjects(secretStack);
      expect(before.filter((o) => o.startsWith("service ")).length, before.join(", ")).toBeGreaterThan(0);
      expect(before.filter((o) => o.startsWith("secret ")).length, before.join(", ")).toBeGreaterThan(0);
      const r = await tcompose(["stack", "rm", "--detach=false", secretStack], repoRoot);
      expect(r.status, output(r)).toBe(0);
      expect(r.stdout).toContain(`Removing service ${secretStack}_app`);
      expect(r.stdout).toContain(`Removing secret ${secretStack}_key-`);
      expect(r.stdout).toContain(`Removing network ${secretStack}_default`);
      expect(await stackObjects(secretStack)).toEqual([]);
      // The nodes remove the tasks' containers shortly after.
      for (const n of [1, 2, 3]) {
        const host = `unix:///run/tcompose-swarm/node${n}.sock`;
        await waitFor(
          `no container of ${secretStack} on tcs-node${n}`,
          () =>
            swarmDockerOk(
              ["ps", "-aq", "--filter", `label=com.docker.stack.namespace=${secretStack}`],
              host,
            ).trim() === "",
        );
      }
    }, 600_000);

    it("creates a service that depends on a healthy one only once that one's task runs", async () => {
      const name = stackName("deps");
      const r = await deploy(join(fixtures, "depends"), name);
      expect(r.status, output(r)).toBe(0);
      expect(r.stdout.indexOf(`Creating service ${name}_db`)).toBeGreaterThanOrEqual(0);
      expect(r.stdout.indexOf(`Creating service ${name}_web`)).toBeGreaterThan(
        r.stdout.indexOf(`Creating service ${name}_db`),
      );
      const [db] = await runningTasks(`${name}_db`);
      if (!db) throw new Error("no running task of db");
      const web = await inspectService(`${name}_web`);
      expect(
        nanos(web.CreatedAt) >= nanos(db.Status.Timestamp),
        `web created at ${web.CreatedAt}, db running since ${db.Status.Timestamp}`,
      ).toBe(true);
    }, 300_000);

    it("refuses a constraint no node meets, naming the service, and creates nothing", async () => {
      const name = stackName("lost");
      const r = await deploy(join(fixtures, "bad-placement"), name, { extra: [] });
      expect(r.status, output(r)).toBe(1);
      expect(r.stderr).toContain('"lost"');
      expect(r.stderr).toContain("node.hostname==tcs-node9");
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(await stackObjects(name)).toEqual([]);
    }, 120_000);

    it("gives docker's message on an engine that is not a swarm manager", async () => {
      const dir = join(fixtures, "dry-run");
      const env = { DOCKER_HOST: "unix:///var/run/docker.sock" };
      const [ours, docker] = await Promise.all([
        deploy(dir, "tcsc-nomanager", { extra: [], env }),
        oracle(["stack", "deploy", "-c", "compose.yaml", "tcsc-nomanager"], dir, env),
      ]);
      expect(docker.status).toBe(1);
      expect(docker.stderr).toContain("this node is not a swarm manager");
      expect(ours.status, output(ours)).toBe(1);
      expect(ours.stderr).toBe(`tcompose: ${docker.stderr.trim()}\n`);
    }, 120_000);

    it("--dry-run lists what it would create, then an update with its changed field, and changes nothing", async () => {
      const name = stackName("dry");
      const dir = join(fixtures, "dry-run");
      const plan = await deploy(dir, name, { extra: ["--dry-run"] });
      expect(plan.status, output(plan)).toBe(0);
      expect(plan.stdout).toContain(`Would create network ${name}_default`);
      expect(plan.stdout).toContain(`Would create service ${name}_web`);
      expect(await stackObjects(name)).toEqual([]);

      const real = await deploy(dir, name, { extra: [] });
      expect(real.status, output(real)).toBe(0);
      // Compared once swarm's allocator has written the service (its VIP), a write of its own a moment after
      // the create that moves Version.Index (a full run once compared one side before it).
      let before = await inspectService(`${name}_web`);
      await waitFor(`the allocator to give ${name}_web its virtual IP`, async () => {
        before = await inspectService(`${name}_web`);
        return (before.Endpoint?.VirtualIPs?.length ?? 0) > 0;
      });
      const same = await deploy(dir, name, { extra: ["--dry-run"] });
      expect(same.status, output(same)).toBe(0);
      expect(same.stdout).toBe(`Would leave service ${name}_web unchanged\n`);
      const change = await deploy(dir, name, { extra: ["--dry-run"], env: { REPLICAS: "2" } });
      expect(change.status, output(change)).toBe(0);
      expect(change.stdout).toMatch(
        new RegExp(`^Would update service ${name}_web \\(changed: Mode\\.Replicated\\.Replicas\\)$`, "m"),
      );
      expect(change.stdout).not.toContain("Would create");
      const after = await inspectService(`${name}_web`);
      expect(after.Version.Index).toBe(before.Version.Index);
      expect(after.Spec.Mode?.Replicated?.Replicas).toBe(1);
    }, 300_000);
  });

  // Last and alone: it takes a node away from the others for a while.
  it("reschedules a stopped worker's tasks on the other nodes", async () => {
    const service = `${failover}_app`;
    const r = await (failoverDeploy ?? deploy(join(fixtures, "failover"), failover));
    expect(r.status, output(r)).toBe(0);
    expect(await nodesOf(service)).toContain("tcs-node3");
    release();
    release = await holdSwarm("exclusive");
    try {
      await stopNodeEngine(3);
      const names = await hostnames();
      await waitFor(
        "the manager to mark tcs-node3 down",
        async () =>
          (await api<SwarmNode[]>("/nodes")).some(
            (n) => n.Description?.Hostname === "tcs-node3" && n.Status?.State === "down",
          ),
        120_000,
      );
      let tasks: SwarmTask[] = [];
      await waitFor(
        "3 tasks running on the other nodes",
        async () => {
          tasks = await runningTasks(service);
          return tasks.length === 3 && tasks.every((t) => names.get(t.NodeID ?? "") !== "tcs-node3");
        },
        120_000,
        () => tasks.map((t) => `${names.get(t.NodeID ?? "")} ${t.Status.State}`).join(", "),
      );
      expect(new Set(tasks.map((t) => names.get(t.NodeID ?? "")))).toEqual(
        new Set(["tcs-node1", "tcs-node2"]),
      );
    } finally {
      swarmUp();
    }
    const nodes = swarmDockerOk(["node", "ls", "--format", "{{.Hostname}} {{.Status}}"]);
    expect(nodes.trim().split("\n").sort()).toEqual([
      "tcs-node1 Ready",
      "tcs-node2 Ready",
      "tcs-node3 Ready",
    ]);
  }, 1_200_000);
});
