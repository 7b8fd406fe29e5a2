import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeSwarmObjects,
  swarmDocker,
  swarmDockerOk,
  swarmNodes,
  swarmSkipNote,
  taskContainer,
  useSwarm,
  waitRunning,
  waitTask,
} from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

// The multi-node Swarm of scripts/swarm.sh that the `stack` tests run on: started here when it is not up
// yet and left up for later files (`up` is idempotent).
describe.skipIf(swarmSkipNote !== "")(`test swarm (scripts/swarm.sh)${swarmSkipNote}`, () => {
  const id = randomBytes(3).toString("hex");
  const probe = `tcs-probe-${id}`;
  const network = `tcs-net-${id}`;
  const [a, b] = [`tcs-a-${id}`, `tcs-b-${id}`];
  // sleep as PID 1 ignores SIGTERM: a short grace period keeps the cleanup fast.
  const task = ["--no-resolve-image", "--stop-grace-period", "1s", "busybox:1.36"];

  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
  }, 300_000);
  afterAll(() => removeSwarmObjects([probe, a, b], [network]).finally(release), 120_000);

  it("has every node Ready and Active, one of them the leader", () => {
    const nodes = swarmDockerOk(["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}"]);
    const expected = Array.from({ length: swarmNodes }, (_, i) => `tcs-node${i + 1} Ready Active`);
    expect(nodes.trim().split("\n").sort()).toEqual(expected);
    expect(swarmDockerOk(["node", "inspect", "self", "--format", "{{.ManagerStatus.Leader}}"]).trim()).toBe(
      "true",
    );
  });

  it("spreads the replicas of a service over the nodes, each Running", async () => {
    swarmDockerOk(["service", "create", "-d", "--replicas", "3", "--name", probe, ...task, "sleep", "3600"]);
    const running = await waitRunning(probe, 3);
    expect(running).toHaveLength(3);
    expect(new Set(running.map((t) => t.node)).size).toBe(Math.min(3, swarmNodes));
  });

  it("connects services on different nodes by name over an overlay network", async () => {
    swarmDockerOk(["network", "create", "-d", "overlay", network]);
    // dnsrr: the name resolves to the tasks' own addresses. The default VIP needs IPVS, which this
    // kernel lacks (CONFIG_IP_VS unset), so a VIP resolves but does not answer here.
    const on = (n: number) => ["--constraint", `node.hostname==tcs-node${Math.min(n, swarmNodes)}`];
    for (const [name, node] of [
      [a, 2],
      [b, 3],
    ] as const) {
      swarmDockerOk([
        "service",
        "create",
        "-d",
        "--name",
        name,
        "--network",
        network,
        "--endpoint-mode",
        "dnsrr",
        ...on(node),
        ...task,
        "sleep",
        "3600",
      ]);
    }
    const [taskA, taskB] = await Promise.all([waitTask(a), waitTask(b)]);
    if (swarmNodes >= 2) expect(taskA.node).not.toBe(taskB.node);

    const addressOfB = swarmDockerOk([
      "inspect",
      taskB.id,
      "--format",
      `{{range .NetworksAttachments}}{{if eq .Network.Spec.Name "${network}"}}{{index .Addresses 0}}{{end}}{{end}}`,
    ])
      .trim()
      .replace(/\/\d+$/, "");
    expect(addressOfB).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    // From inside a's container, on a's node: the name resolves to b's task and b answers.
    const [hostA, containerA] = taskContainer(taskA);
    // Names of tasks on other nodes reach a's node by gossip, some time after both tasks run: until then
    // the embedded DNS forwards the name to the host's resolvers, which this network namespace cannot reach.
    let lookup = swarmDocker(["exec", containerA, "nslookup", b], hostA);
    await waitFor(
      `${b} to resolve to ${addressOfB} in ${containerA}`,
      () => {
        lookup = swarmDocker(["exec", containerA, "nslookup", b], hostA);
        return lookup.stdout.includes(`Address: ${addressOfB}`);
      },
      60_000,
      () => `${lookup.stdout}${lookup.stderr}`,
    );
    expect(lookup.stdout).toContain(`Address: ${addressOfB}`);
    const ping = swarmDocker(["exec", containerA, "ping", "-c1", "-W5", b], hostA);
    expect(ping.stdout).toContain(`1 packets received`);
    expect(ping.status).toBe(0);
  });
});
