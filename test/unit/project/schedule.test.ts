import { describe, expect, it } from "vitest";
import { buildGraph } from "../../../src/project/graph.js";
import { inDependencyOrder } from "../../../src/project/schedule.js";

const graph = buildGraph({
  db: {},
  cache: {},
  api: { depends_on: { db: { condition: "service_healthy" }, cache: null } },
  web: { depends_on: { api: null } },
  worker: { depends_on: { db: null } },
});

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("inDependencyOrder", () => {
  it("starts a service as soon as its own dependencies are done, not a whole level", async () => {
    const gates = new Map(graph.services.map((s) => [s, deferred()]));
    const log: string[] = [];
    const run = inDependencyOrder(graph, graph.services, async (s) => {
      log.push(`start ${s}`);
      await gates.get(s)?.promise;
      log.push(`end ${s}`);
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(["start db", "start cache"]);
    gates.get("db")?.resolve();
    await new Promise((r) => setTimeout(r, 0));
    // worker only needs db: it starts while cache (and so api) is still running.
    expect(log).toEqual(["start db", "start cache", "end db", "start worker"]);
    for (const g of gates.values()) g.resolve();
    await run;
    expect(log.indexOf("start api")).toBeGreaterThan(log.indexOf("end cache"));
    expect(log.indexOf("start web")).toBeGreaterThan(log.indexOf("end api"));
  });

  it("walks dependants first in reverse", async () => {
    const order: string[] = [];
    await inDependencyOrder(graph, graph.services, async (s) => void order.push(s), {
      reverse: true,
      concurrency: 1,
    });
    expect(order.indexOf("web")).toBeLessThan(order.indexOf("api"));
    expect(order.indexOf("api")).toBeLessThan(order.indexOf("db"));
    expect(order.indexOf("worker")).toBeLessThan(order.indexOf("db"));
  });

  it("only orders the selected services, and stops starting new tasks after a failure", async () => {
    const seen: string[] = [];
    await expect(
      inDependencyOrder(graph, ["db", "api", "web"], async (s) => {
        seen.push(s);
        if (s === "db") throw new Error("db failed");
      }),
    ).rejects.toThrow("db failed");
    expect(seen).toEqual(["db"]);
  });

  it("respects the concurrency limit", async () => {
    let running = 0;
    let peak = 0;
    const flat = buildGraph(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, {}])));
    await inDependencyOrder(
      flat,
      flat.services,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });
});
