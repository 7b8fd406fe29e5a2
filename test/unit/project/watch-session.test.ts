import { describe, expect, it } from "vitest";
import { ContainerCache } from "../../../src/project/watch/session.js";

describe("ContainerCache", () => {
  it("lists a service once, again after an event of its own, all again after an event without service", async () => {
    const calls: string[] = [];
    let n = 0;
    const cache = new ContainerCache(async (service) => {
      calls.push(service);
      n += 1;
      return [`${service}-${n}`];
    });
    expect(await cache.get("web")).toEqual(["web-1"]);
    expect(await cache.get("web")).toEqual(["web-1"]);
    expect(await cache.get("db")).toEqual(["db-2"]);
    cache.changed("web");
    expect(await cache.get("web")).toEqual(["web-3"]);
    expect(await cache.get("db")).toEqual(["db-2"]);
    cache.changed(undefined);
    expect(await cache.get("db")).toEqual(["db-4"]);
    expect(calls).toEqual(["web", "db", "web", "db"]);
  });

  it("lists every time when the engine's events cannot be followed", async () => {
    let n = 0;
    const cache = new ContainerCache(async () => [`c${++n}`]);
    cache.kept = false;
    expect(await cache.get("web")).toEqual(["c1"]);
    expect(await cache.get("web")).toEqual(["c2"]);
  });

  it("does not keep a failed listing", async () => {
    let fail = true;
    const cache = new ContainerCache(async () => {
      if (fail) throw new Error("engine away");
      return ["a"];
    });
    await expect(cache.get("web")).rejects.toThrow("engine away");
    fail = false;
    expect(await cache.get("web")).toEqual(["a"]);
  });
});
