import { describe, expect, it } from "vitest";
import type { SwarmService } from "../../../src/project/engine/types.js";
import {
  orderedTaskNames,
  parseServiceLogLine,
  selectServices,
  shortServiceName,
  taskLogName,
} from "../../../src/project/stack/logs.js";

const details =
  "com.docker.swarm.node.id=k9yaq,com.docker.swarm.service.id=it8zk,com.docker.swarm.task.id=lzw6k";

describe("stack logs", () => {
  it("splits the engine's line into timestamp, details and text", () => {
    expect(parseServiceLogLine(`${details} hello  world `, false)).toEqual({
      details: {
        "com.docker.swarm.node.id": "k9yaq",
        "com.docker.swarm.service.id": "it8zk",
        "com.docker.swarm.task.id": "lzw6k",
      },
      text: "hello  world ",
    });
    const stamped = parseServiceLogLine(`2026-12-07T14:35:15.504875980Z ${details} a`, true);
    expect(stamped.timestamp).toBe("2026-12-07T14:35:15.504875980Z");
    expect(stamped.text).toBe("a");
    expect(stamped.details["com.docker.swarm.task.id"]).toBe("lzw6k");
    // An empty line, and query-escaped values of a log driver's details.
    expect(parseServiceLogLine(`${details} `, false).text).toBe("");
    expect(parseServiceLogLine("a=x%2Cy+z,b=1 t", false)).toEqual({
      details: { a: "x,y z", b: "1" },
      text: "t",
    });
    // Without details, the whole line is text.
    expect(parseServiceLogLine("plain text", false)).toEqual({ details: {}, text: "plain text" });
  });

  it("names a task like the container of `tcompose logs`, a global one by its node", () => {
    expect(shortServiceName("st", "st_web")).toBe("web");
    expect(shortServiceName("st", "other_web")).toBe("other_web");
    expect(shortServiceName("st", "st_")).toBe("st_");
    expect(taskLogName("web", { Slot: 2, NodeID: "n1" })).toBe("web-2");
    expect(taskLogName("agent", { NodeID: "abcdefghijklmnop" }, "tcs-node2")).toBe("agent@tcs-node2");
    expect(taskLogName("agent", { Slot: 0, NodeID: "abcdefghijklmnop" })).toBe("agent@abcdefghijkl");
    expect(
      orderedTaskNames([
        { service: "web", slot: 10, name: "web-10" },
        { service: "web", slot: 2, name: "web-2" },
        { service: "db", slot: 1, name: "db-1" },
        { service: "web", slot: 2, name: "web-2" },
        { service: "agent", slot: 0, name: "agent@b" },
        { service: "agent", slot: 0, name: "agent@a" },
      ]),
    ).toEqual(["agent@a", "agent@b", "db-1", "web-2", "web-10"]);
  });

  it("selects services by their name in the stack or in full, and names what is missing", () => {
    const svc = (ID: string, Name: string) =>
      ({ ID, Spec: { Name, TaskTemplate: { ContainerSpec: { Image: "x" } } } }) as SwarmService;
    const all = [svc("2", "st_web"), svc("1", "st_db")];
    expect(selectServices("st", all, []).map((s) => s.ID)).toEqual(["1", "2"]);
    expect(selectServices("st", all, ["web"]).map((s) => s.ID)).toEqual(["2"]);
    expect(selectServices("st", all, ["st_db", "web"]).map((s) => s.ID)).toEqual(["1", "2"]);
    expect(() => selectServices("st", all, ["web", "nope", "x"])).toThrow("no such service: nope, x");
    expect(() => selectServices("st", [], [])).toThrow("nothing found in stack: st");
  });
});
