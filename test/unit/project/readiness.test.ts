import { describe, expect, it } from "vitest";
import type { ContainerDetails } from "../../../src/project/engine/types.js";
import { judge } from "../../../src/project/readiness.js";

function details(state: Partial<ContainerDetails["state"]>, hasHealthcheck = true): ContainerDetails {
  return {
    id: "x",
    name: "p-db-1",
    image: "redis",
    imageId: "",
    created: "",
    labels: {},
    state: { status: "running", running: true, exitCode: 0, ...state },
    networks: [],
    ports: {},
    mounts: [],
    tty: false,
    hasHealthcheck,
    raw: {},
  };
}

describe("judge (is a dependency ready?)", () => {
  it("waits while starting, passes when healthy, fails with the last probe's output when unhealthy", () => {
    expect(judge(details({ health: "starting" }), "healthy")).toEqual({ ready: false });
    expect(judge(details({ health: "healthy" }), "healthy")).toEqual({ ready: true });
    const verdict = judge(
      details({ health: "unhealthy", healthLog: [{ exitCode: 1, output: "connection refused\n" }] }),
      "healthy",
    );
    expect(verdict.ready).toBe(false);
    expect(!verdict.ready && verdict.failed?.message).toBe(
      "container p-db-1 is unhealthy: last health check (exit 1): connection refused",
    );
  });

  it("fails a health wait on a container without healthcheck or that exited", () => {
    const none = judge(details({}, false), "healthy");
    expect(!none.ready && none.failed?.message).toBe("container p-db-1 has no healthcheck configured");
    const exited = judge(details({ status: "exited", running: false, exitCode: 2 }), "healthy");
    expect(!exited.ready && exited.failed?.message).toBe("container p-db-1 exited (2)");
  });

  it("completed: exit 0 passes, another code fails, running waits", () => {
    expect(judge(details({ status: "exited", running: false, exitCode: 0 }), "completed")).toEqual({
      ready: true,
    });
    const failed = judge(details({ status: "exited", running: false, exitCode: 4 }), "completed");
    expect(!failed.ready && failed.failed?.message).toBe("didn't complete successfully: exit 4");
    expect(judge(details({}), "completed")).toEqual({ ready: false });
  });

  it("--wait: running without healthcheck is ready, and a one-shot job that exited 0 is done", () => {
    expect(judge(details({}, false), "running_or_healthy")).toEqual({ ready: true });
    expect(
      judge(details({ status: "exited", running: false, exitCode: 0 }, false), "running_or_healthy"),
    ).toEqual({
      ready: true,
    });
    expect(
      judge(details({ status: "exited", running: false, exitCode: 1 }, false), "running_or_healthy").ready,
    ).toBe(false);
  });
});
