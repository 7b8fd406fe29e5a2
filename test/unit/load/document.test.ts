import { describe, expect, it } from "vitest";
import { PathSet, PathTable } from "../../../src/project/load/document.js";

describe("PathTable", () => {
  const table = new PathTable<string>([
    ["services.*.environment", "env"],
    ["services.*.build", "build"],
    ["services.web.build", "web build (later: never chosen)"],
    ["services.*.networks.*.aliases", "aliases"],
    ["*.*.labels", "any labels"],
    ["services.*.labels", "service labels (later than the wildcard)"],
    ["volumes.*.driver_opts.0", "index as text"],
  ]);

  it("matches whole paths, `*` standing for any one segment", () => {
    expect(table.get(["services", "web", "environment"])).toBe("env");
    expect(table.get(["services", "db", "networks", "back", "aliases"])).toBe("aliases");
    expect(table.get(["services", "web"])).toBeUndefined();
    expect(table.get(["services", "web", "environment", "A"])).toBeUndefined();
    expect(table.get([])).toBeUndefined();
    expect(table.get(["networks", "n", "labels"])).toBe("any labels");
  });

  it("gives the earliest pattern that matches, whichever branch holds it", () => {
    expect(table.get(["services", "web", "build"])).toBe("build");
    expect(table.get(["services", "web", "labels"])).toBe("any labels");
  });

  it("matches a list index as its text", () => {
    expect(table.get(["volumes", "v", "driver_opts", 0])).toBe("index as text");
    expect(table.get(["volumes", "v", "driver_opts", 1])).toBeUndefined();
  });
});

describe("PathSet", () => {
  it("says whether any pattern matches", () => {
    const set = new PathSet(["services.*.dns", "networks.*.ipam"]);
    expect(set.has(["services", "a", "dns"])).toBe(true);
    expect(set.has(["networks", "n", "ipam"])).toBe(true);
    expect(set.has(["networks", "n", "ipam", "config"])).toBe(false);
    expect(set.has(["services", "a"])).toBe(false);
  });
});
