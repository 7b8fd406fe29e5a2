import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine, EngineError } from "../../src/project/engine/index.js";
import { containerName, label, oneoffValue, projectFilter, scopedName } from "../../src/project/labels.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

// The pattern for engine tests: a unique project per test, everything labelled with it, and removal of
// the whole project afterwards whether the test passed or not.
describe("engine adapter against a real engine", () => {
  let engine: Engine;
  let project = "";

  beforeAll(async () => {
    engine = await connectEngine();
  });

  afterEach(async () => {
    if (project) await removeProject(engine, project);
  });

  it("creates, finds by label and removes a network and a busybox container", async () => {
    project = uniqueProjectName("adapter");
    const networkName = scopedName(project, "default");
    const networkLabels = { ...projectFilter(project), [label.network]: "default" };
    await engine.createNetwork({ Name: networkName, Driver: "bridge", Labels: networkLabels });

    const networks = await engine.listNetworks(projectFilter(project));
    expect(networks.map((n) => ({ name: n.name, labels: n.labels }))).toEqual([
      { name: networkName, labels: networkLabels },
    ]);

    if (!(await engine.hasImage("busybox:1.36"))) await engine.pullImage("busybox:1.36");
    const name = containerName(project, "web", 1);
    const id = await engine.createContainer({
      name,
      Image: "busybox:1.36",
      Cmd: ["sleep", "300"],
      Labels: { ...projectFilter(project), [label.service]: "web", [label.oneoff]: oneoffValue(false) },
      NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: ["web"] } } },
    });
    await engine.startContainer(id);

    const details = await engine.inspectContainer(id);
    expect(details).toMatchObject({ name, image: "busybox:1.36", state: { running: true } });
    expect(details.networks).toEqual([networkName]);
    const listed = await engine.listContainers({ ...projectFilter(project), [label.service]: "web" });
    expect(listed.map((c) => c.names)).toEqual([[name]]);

    await engine.removeContainer(id, { force: true });
    await engine.removeNetwork(networkName);
    expect(await engine.listContainers(projectFilter(project), { all: true })).toEqual([]);
    expect(await engine.listNetworks(projectFilter(project))).toEqual([]);
  });

  it("reports an engine refusal with the resource it was about", async () => {
    const missing = `${uniqueProjectName("missing")}-x-1`;
    await expect(engine.inspectContainer(missing)).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof EngineError && e.statusCode === 404 && e.message.startsWith(`container ${missing}:`),
    );
  });

  it("says whether an image is present without pulling it", async () => {
    expect(await engine.hasImage("busybox:1.36")).toBe(true);
    expect(await engine.hasImage("tcompose-test/never-built:none")).toBe(false);
  });
});
