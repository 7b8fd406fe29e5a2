import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/lib.js";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { projectFilter } from "../../src/project/labels.js";
import { silentProgress } from "../../src/project/progress.js";
import { createProject } from "../../src/project/up.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

// How `up` orders its engine calls, seen through a real engine wrapped to record them (and to hold some
// back): what a schedule promises is an order, which a recording shows without timing anything.
describe("up's schedule against a real engine", () => {
  let engine: Engine;
  let project = "";
  let dir = "";

  beforeAll(async () => {
    engine = await connectEngine();
  });

  afterEach(async () => {
    if (project) await removeProject(engine, project);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The engine, recording creates and starts by container name; the create of `slow` is held back. */
  function recording(slow: string, calls: string[]): Engine {
    const names = new Map<string, string>();
    return new Proxy(engine, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === "createContainer") {
          return async (spec: { name: string }) => {
            if (spec.name === slow) await new Promise((resolve) => setTimeout(resolve, 1500));
            const id = (await target.createContainer(spec as never)) as string;
            names.set(id, spec.name);
            calls.push(`created ${spec.name}`);
            return id;
          };
        }
        if (property === "startContainer") {
          return async (id: string) => {
            calls.push(`start ${names.get(id) ?? id}`);
            await target.startContainer(id);
            calls.push(`started ${names.get(id) ?? id}`);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** `up` (create and start) of the file through the recording engine, holding back `slow`'s create. */
  async function upRecorded(yaml: string, slow: string): Promise<string[]> {
    dir = await mkdtemp(path.join(tmpdir(), "tcompose-schedule-"));
    await writeFile(path.join(dir, "compose.yaml"), yaml);
    const { project: loaded, problems } = loadProject({ workingDir: dir, projectName: project });
    expect(problems).toEqual([]);
    if (!loaded) throw new Error("no project");
    const calls: string[] = [];
    await createProject(
      { engine: recording(slow, calls), project: loaded, progress: silentProgress, warn: () => {} },
      { start: {} },
    );
    return calls;
  }

  it("starts nothing before every container is created, then every independent one at once", async () => {
    project = uniqueProjectName("barrier");
    const calls = await upRecorded(
      "services:\n  web:\n    image: busybox:1.36\n    command: sleep 300\n    init: true\n    deploy:\n      replicas: 5\n" +
        "  worker:\n    image: busybox:1.36\n    command: sleep 300\n    init: true\n",
      `${project}-web-3`,
    );
    // The other containers were created long before web-3 (held back 1.5 s); none started before it.
    const all = [1, 2, 3, 4, 5].map((n) => `${project}-web-${n}`).concat(`${project}-worker-1`);
    const firstStart = calls.findIndex((c) => c.startsWith("start "));
    expect(calls.slice(0, firstStart).sort()).toEqual(all.map((c) => `created ${c}`).sort());
    // Then all six starts were sent before the first one ended: no bound on them.
    const firstStarted = calls.findIndex((c) => c.startsWith("started "));
    expect(calls.slice(firstStart, firstStarted).sort()).toEqual(all.map((c) => `start ${c}`).sort());
    const running = await engine.listContainers(projectFilter(project), { all: false });
    expect(running.map((c) => c.state)).toEqual(all.map(() => "running"));
  });

  it("starts a dependant's replicas only after its dependency started, however early they were created", async () => {
    project = uniqueProjectName("deps");
    const slow = `${project}-db-1`;
    const calls = await upRecorded(
      "services:\n  db:\n    image: busybox:1.36\n    command: sleep 300\n    init: true\n" +
        "  app:\n    image: busybox:1.36\n    command: sleep 300\n    init: true\n    depends_on: [db]\n" +
        "    deploy:\n      replicas: 2\n",
      slow,
    );
    const dbStart = calls.indexOf(`start ${slow}`);
    expect(dbStart).toBeGreaterThan(calls.indexOf(`created ${slow}`));
    for (const n of [1, 2]) expect(calls.indexOf(`start ${project}-app-${n}`)).toBeGreaterThan(dbStart);
  });
});
