import { describe, expect, it } from "vitest";
import type { SwarmService, SwarmTask } from "../../../src/project/engine/types.js";
import { dependencyReady, serviceProgress } from "../../../src/project/stack/converge.js";

const since = "2026-01-01T00:00:10Z";
const svc = (extra: Partial<SwarmService> = {}, replicas: number | null = 3): SwarmService => ({
  ID: "s",
  Version: { Index: 1 },
  CreatedAt: "",
  UpdatedAt: "",
  Spec: {
    Name: "app_web",
    TaskTemplate: { ContainerSpec: { Image: "x" } },
    Mode: replicas === null ? { Global: {} } : { Replicated: { Replicas: replicas } },
  },
  ...extra,
});
let n = 0;
const task = (state: string, desired = "running", at = "2026-01-01T00:00:20Z", err?: string): SwarmTask => ({
  ID: `t${n++}`,
  Version: { Index: 1 },
  CreatedAt: "",
  UpdatedAt: "",
  Spec: { ContainerSpec: { Image: "x" } },
  ServiceID: "s",
  DesiredState: desired,
  Status: { Timestamp: at, State: state, ...(err ? { Err: err } : {}) },
});

describe("serviceProgress", () => {
  it("converges when the replicas run and no update is in progress", () => {
    const running = [task("running"), task("running"), task("running")];
    expect(serviceProgress(svc(), running, since)).toEqual({ state: "converged", running: 3, desired: 3 });
    expect(serviceProgress(svc({ UpdateStatus: { State: "updating" } }), running, since).state).toBe(
      "converging",
    );
    expect(
      serviceProgress(svc(), [task("running"), task("starting"), task("shutdown", "shutdown")], since),
    ).toEqual({
      state: "converging",
      running: 1,
      desired: 3,
    });
  });

  it("waits for tasks of the current task template: right after an update the old ones still run", () => {
    const updated = svc({
      Spec: {
        Name: "app_web",
        // The engine's template has a Runtime that its tasks' copies leave out.
        TaskTemplate: { ContainerSpec: { Image: "x", Env: ["REVISION=2"] }, Runtime: "container" },
        Mode: { Replicated: { Replicas: 2 } },
      },
    });
    const old = [task("running"), task("running")];
    expect(serviceProgress(updated, old, since)).toEqual({ state: "converging", running: 0, desired: 2 });
    const renewed = old.map((t) => ({ ...t, Spec: { ContainerSpec: { Image: "x", Env: ["REVISION=2"] } } }));
    expect(serviceProgress(updated, [renewed[0] as SwarmTask, old[1] as SwarmTask], since).state).toBe(
      "converging",
    );
    expect(serviceProgress(updated, renewed, since)).toEqual({ state: "converged", running: 2, desired: 2 });
  });

  it("counts a global service's desired tasks from the service status", () => {
    const global = svc({ ServiceStatus: { RunningTasks: 1, DesiredTasks: 2 } }, null);
    expect(serviceProgress(global, [task("running"), task("pending")], since).state).toBe("converging");
    expect(serviceProgress(global, [task("running"), task("running")], since).state).toBe("converged");
  });

  it("fails on a paused or rolled-back update with its message and the task's error", () => {
    const failed = [task("failed", "shutdown", "2026-01-01T00:00:30Z", "task: non-zero exit (1)")];
    expect(
      serviceProgress(
        svc({ UpdateStatus: { State: "rollback_completed", Message: "rollback completed" } }),
        failed,
        since,
      ),
    ).toEqual({
      state: "failed",
      running: 0,
      desired: 3,
      detail: "update rollback completed: rollback completed: task: non-zero exit (1)",
    });
  });

  it("fails after repeated task failures since the deploy, not counting older ones", () => {
    const err = "No such image: nope:1";
    const old = [1, 2, 3].map(() => task("rejected", "shutdown", "2026-01-01T00:00:01Z", err));
    expect(serviceProgress(svc(), old, since).state).toBe("converging");
    const recent = [1, 2, 3].map(() => task("rejected", "shutdown", "2026-01-01T00:00:20Z", err));
    expect(serviceProgress(svc(), recent, since)).toEqual({
      state: "failed",
      running: 0,
      desired: 3,
      detail: err,
    });
  });

  it("shows why a task waits without failing", () => {
    const p = serviceProgress(svc({}, 1), [task("pending", "running", since, "no suitable node")], since);
    expect(p).toEqual({ state: "converging", running: 0, desired: 1, detail: "no suitable node" });
  });
});

describe("dependencyReady", () => {
  it("reads swarm task states: starting until healthy, running after", () => {
    expect(dependencyReady("service_started", [task("starting")])).toBe(true);
    expect(dependencyReady("service_healthy", [task("starting")])).toBe(false);
    expect(dependencyReady("service_healthy", [task("running")])).toBe(true);
    expect(dependencyReady("service_started", [task("running", "shutdown")])).toBe(false);
    expect(dependencyReady("service_completed_successfully", [task("complete", "complete")])).toBe(true);
    expect(dependencyReady("service_completed_successfully", [task("running")])).toBe(false);
  });
});
