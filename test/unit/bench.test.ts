import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { render } from "../../bench/report.mjs";
import {
  allReplicasRunning,
  floorServiceSpec,
  REPLICAS,
  runningTasks,
  SERVICES,
  stackCompose,
} from "../../bench/stack.mjs";
import { latencySummary } from "../../bench/watch.mjs";

describe("bench watch scenario", () => {
  it("summarises latencies as median and nearest-rank 95th percentile", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (20 - i) / 10); // 2.0 … 0.1, unsorted
    expect(latencySummary(twenty)).toEqual({ median: 1.05, p95: 1.9 });
    expect(latencySummary([0.3, 0.1, 0.2])).toEqual({ median: 0.2, p95: 0.3 });
  });
});

describe("bench report", () => {
  const meta = { hasReference: true, referenceShort: "2.26.1", scenarioNames: ["s"], runs: 1, cores: 2 };
  const scenario = { name: "s", title: "t", tables: { cpu: "CPU" } };
  const table = (ref: number, tc: number) =>
    render({
      meta,
      scenarios: [scenario],
      results: { s: { cpu: { ref: [{ status: "ok", seconds: ref }], tc: [{ status: "ok", seconds: tc }] } } },
      notes: [],
    });

  it("gives the ratio of the medians", () => {
    expect(table(0.2, 0.1)).toContain("| tcompose | 0.100 | 0.100 | 0.100 | n/a | 0.50× |");
  });

  it("gives no ratio over a reference median of 0 (an idle process's CPU time)", () => {
    const text = table(0, 0);
    expect(text).toContain("| tcompose | 0.000 | 0.000 | 0.000 | n/a | n/a |");
    expect(text).not.toContain("NaN");
  });
});

describe("bench stack scenario", () => {
  it("writes 20 services × 3 replicas that docker 20.10 loads (version) and that need no IPVS (dnsrr)", () => {
    const file = parse(stackCompose());
    expect(file.version).toBe("3.8");
    expect(Object.keys(file.services)).toHaveLength(SERVICES);
    expect(file.services.s20).toEqual({
      image: "busybox:1.36",
      command: "sleep 3600",
      stop_grace_period: "1s",
      deploy: { replicas: REPLICAS, endpoint_mode: "dnsrr" },
    });
  });

  it("gives the floor the spec docker stack deploy sends for a service", () => {
    expect(floorServiceSpec("st", "s1", "net1")).toEqual({
      Name: "st_s1",
      Labels: { "com.docker.stack.image": "busybox:1.36", "com.docker.stack.namespace": "st" },
      TaskTemplate: {
        ContainerSpec: {
          Image: "busybox:1.36",
          Labels: { "com.docker.stack.namespace": "st" },
          Args: ["sleep", "3600"],
          StopGracePeriod: 1_000_000_000,
        },
        Networks: [{ Target: "net1", Aliases: ["s1"] }],
      },
      Mode: { Replicated: { Replicas: 3 } },
      EndpointSpec: { Mode: "dnsrr" },
    });
  });

  it("counts only tasks that run and should", () => {
    const task = (DesiredState: string, State: string) => ({ DesiredState, Status: { State } });
    const tasks = [task("running", "running"), task("running", "starting"), task("shutdown", "running")];
    expect(runningTasks(tasks)).toBe(1);
  });

  it("reads service ls replicas as done only when every service shows n/n", () => {
    expect(allReplicasRunning("3/3\n3/3\n", 2, 3)).toBe(true);
    expect(allReplicasRunning("3/3\n2/3\n", 2, 3)).toBe(false);
    expect(allReplicasRunning("3/3\n", 2, 3)).toBe(false);
  });

  it("names the scenario's own reference and says why a skipped scenario has no figures", () => {
    const text = render({
      meta: { hasReference: true, referenceShort: "2.26.1", scenarioNames: ["stack"], runs: 1, cores: 2 },
      scenarios: [
        { name: "stack", title: "t", tables: { wait: "W" }, referenceLabels: { wait: "docker 28.2.2" } },
      ],
      results: {
        stack: {
          wait: {
            ref: [{ status: "skipped", message: "no test swarm and not root" }],
            tc: [{ status: "skipped", message: "no test swarm and not root" }],
          },
        },
      },
      notes: [],
    });
    expect(text).toContain("| docker 28.2.2 | skipped: no test swarm and not root | | | | n/a |");
    expect(text).toContain("| tcompose | skipped: no test swarm and not root | | | | n/a |");
  });
});
