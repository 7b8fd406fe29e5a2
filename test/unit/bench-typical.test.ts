import { describe, expect, it } from "vitest";
import { render } from "../../bench/report.mjs";
import { configServices, NODE_FLOOR, PROJECTS, projectFiles } from "../../bench/typical.mjs";
import { loadProject } from "../../src/lib.js";
import { memoryFileSystem } from "../helpers/memfs.js";

describe("bench typical scenario", () => {
  it.each(PROJECTS.map((p) => [p.id, p] as const))(
    "writes a %s project that loads with the stated number of services",
    (id, { services, flags = [] }) => {
      const dir = `/p/${id}`;
      const result = loadProject({
        fs: memoryFileSystem(dir, projectFiles(id)),
        workingDir: dir,
        env: {},
        home: "/home/me",
        profiles: flags.filter((_, i) => flags[i - 1] === "--profile"),
      });
      expect(result.problems).toEqual([]);
      expect(result.failure).toBeUndefined();
      expect(Object.keys(result.project?.model.services ?? {})).toHaveLength(services);
    },
  );

  it("spreads laradock-like over 110 included files and the main one", () => {
    const files = Object.keys(projectFiles("laradock")).filter((f) => f.endsWith("compose.yaml"));
    expect(files).toHaveLength(111);
  });

  it("counts the services of config's JSON, and nothing else", () => {
    expect(configServices('{"name":"p","services":{"a":{},"b":{}}}')).toBe(2);
    expect(configServices("services:\n  a: {}\n")).toBeNull();
    expect(configServices('{"name":"p"}')).toBeNull();
    expect(configServices(undefined)).toBeNull();
  });

  it("puts tcompose's distance from Node's start-up beside its ratio", () => {
    const meta = { hasReference: true, referenceShort: "2.26.1", scenarioNames: ["typical"], runs: 1 };
    const scenario = { name: "typical", title: "t", tables: { flask: "flask" }, floor: NODE_FLOOR };
    const ok = (seconds: number) => [{ status: "ok" as const, seconds }];
    const text = render({
      meta,
      scenarios: [scenario],
      results: { typical: { flask: { ref: ok(0.1), tc: ok(0.16), floor: ok(0.125) } } },
      notes: [],
    });
    expect(text).toContain("| tcompose | 0.160 | 0.160 | 0.160 | n/a | 1.60× (floor + 35 ms) |");
    expect(text).toContain('| Node start-up floor (`node -e ""`) | 0.125 | 0.125 | 0.125 | n/a | 1.25× |');
  });
});
