import { describe, expect, it } from "vitest";
import type { SwarmNode } from "../../../src/project/engine/types.js";
import { nodeMeets, unsatisfiedPlacements } from "../../../src/project/stack/placement.js";

const node = (hostname: string, role: string, labels: Record<string, string> = {}): SwarmNode => ({
  ID: `id-${hostname}`,
  Description: {
    Hostname: hostname,
    Platform: { OS: "linux", Architecture: "x86_64" },
    Engine: { Labels: { zone: "a" } },
  },
  Spec: { Role: role, Labels: labels },
});
const nodes = [node("n1", "manager"), node("n2", "worker", { disk: "ssd" })];

describe("placement constraints", () => {
  it("reads swarmkit's keys, == and !=, values without regard to case", () => {
    const n2 = nodes[1] as SwarmNode;
    expect(nodeMeets(n2, ["node.hostname==N2"])).toBe(true);
    expect(nodeMeets(n2, ["node.role!=manager", "node.labels.disk==ssd"])).toBe(true);
    expect(nodeMeets(n2, ["node.labels.missing==x"])).toBe(false);
    expect(nodeMeets(n2, ["node.labels.missing!=x"])).toBe(true);
    expect(nodeMeets(n2, ["engine.labels.zone==a", "node.platform.os==linux", "node.id==id-n2"])).toBe(true);
    expect(nodeMeets(n2, ["node.unknown==x"])).toBeUndefined();
    expect(nodeMeets(n2, ["not a constraint"])).toBeUndefined();
  });

  it("names replicated services no node can run; global ones and unknowable constraints pass", () => {
    const service = (key: string, constraints: string[], global = false) => ({
      key,
      name: `app_${key}`,
      image: "busybox",
      spec: {
        Name: `app_${key}`,
        TaskTemplate: { ContainerSpec: { Image: "busybox" }, Placement: { Constraints: constraints } },
        Mode: global ? { Global: {} } : { Replicated: { Replicas: 1 } },
      },
    });
    expect(
      unsatisfiedPlacements(
        [
          service("ok", ["node.role==worker"]),
          service("nope", ["node.hostname==n9"]),
          service("global", ["node.hostname==n9"], true),
          service("unknown", ["node.weird==1"]),
        ],
        nodes,
      ),
    ).toEqual(['service "nope": no node satisfies the placement constraints [node.hostname==n9] (2 nodes)']);
  });
});
