import { describe, expect, it } from "vitest";
import { IgnoreMatcher } from "../../../src/project/build/dockerignore.js";
import type { Rule } from "../../../src/project/watch/rules.js";
import { ContainerCache, handleBatch, type WatchHooks } from "../../../src/project/watch/session.js";

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

describe("handleBatch: a rebuild's lines", () => {
  const rule: Rule = {
    service: "app",
    index: 0,
    action: "rebuild",
    path: "/p/Dockerfile",
    initialSync: false,
    ignore: IgnoreMatcher.parse(""),
  };
  /** The watch's lines, and the hook's own steps in the same list. */
  const run = async (rebuild: (step: (s: string) => void, built: () => void) => Promise<void>) => {
    const lines: string[] = [];
    const hooks = {
      rules: [rule],
      log: (line: string) => lines.push(line),
      rebuild: (services: string[], built: () => void) => {
        expect(services).toEqual(["app"]);
        return rebuild((s) => lines.push(s), built);
      },
    } as unknown as WatchHooks;
    await handleBatch(hooks, new ContainerCache(async () => []), ["/p/Dockerfile"]);
    return lines;
  };

  it("says the service is built between the build and the recreation, as the reference, once", async () => {
    const lines = await run(async (step, built) => {
      step("build");
      built();
      step("recreate");
      built();
    });
    expect(lines).toEqual([
      'Rebuilding service "app" after changes were detected...',
      "build",
      'service "app" successfully built',
      "recreate",
    ]);
  });

  it("says it after the hook when the hook did not", async () => {
    expect(await run(async (step) => step("build"))).toEqual([
      'Rebuilding service "app" after changes were detected...',
      "build",
      'service "app" successfully built',
    ]);
  });
});
