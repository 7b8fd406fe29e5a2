import { describe, expect, it } from "vitest";
import {
  buildGraph,
  findCycle,
  levels,
  undefinedDependencies,
  withDependencies,
  withDependents,
} from "../../src/project/graph.js";

const shop = buildGraph({
  db: {},
  cache: {},
  api: { depends_on: { db: { condition: "service_healthy" }, cache: null } },
  worker: { links: ["db:database"], volumes_from: ["api:ro"] },
  web: { network_mode: "service:api" },
  tools: { volumes_from: ["container:legacy", "service:cache"] },
});

describe("dependency graph", () => {
  it("takes edges from depends_on, links, volumes_from and network_mode service:", () => {
    expect(shop.dependencies.get("api")).toEqual([
      { service: "db", condition: "service_healthy", required: true, restart: false },
      { service: "cache", condition: "service_started", required: true, restart: false },
    ]);
    expect(shop.dependencies.get("worker")?.map((d) => d.service)).toEqual(["db", "api"]);
    expect(shop.dependencies.get("web")?.map((d) => d.service)).toEqual(["api"]);
    expect(shop.dependencies.get("tools")?.map((d) => d.service)).toEqual(["cache"]);
  });

  it("orders services into levels that can start in parallel", () => {
    expect(levels(shop)).toEqual([
      ["db", "cache"],
      ["api", "tools"],
      ["worker", "web"],
    ]);
  });

  it("finds a cycle and returns it as a closed path", () => {
    const g = buildGraph({
      a: { depends_on: { b: null } },
      b: { depends_on: { c: null } },
      c: { depends_on: { a: null } },
    });
    expect(findCycle(g)).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(buildGraph({ a: { depends_on: { a: null } } }))).toEqual(["a", "a"]);
    expect(findCycle(shop)).toBeUndefined();
  });

  it("lists dependencies on services that do not exist", () => {
    expect(
      undefinedDependencies(buildGraph({ a: { depends_on: { b: null } }, c: { links: ["a"] } })),
    ).toEqual([["a", "b"]]);
  });

  it("selects a service with its dependencies, or with its dependents", () => {
    expect(withDependencies(shop, ["web"])).toEqual(["db", "cache", "api", "web"]);
    expect(withDependents(shop, ["db"])).toEqual(["db", "api", "worker", "web"]);
  });
});
