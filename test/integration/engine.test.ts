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

  it("creates and removes volumes, runs a container to its end, and reports it through events and logs", async () => {
    project = uniqueProjectName("adapter2");
    const volume = scopedName(project, "data");
    await engine.createVolume({
      Name: volume,
      Labels: { ...projectFilter(project), [label.volume]: "data" },
    });
    expect((await engine.inspectVolume(volume))?.labels[label.volume]).toBe("data");
    expect(await engine.inspectVolume(`${volume}-none`)).toBeUndefined();

    const events: string[] = [];
    const subscription = await engine.subscribeEvents(
      { label: projectFilter(project), type: ["container"] },
      (e) => events.push(e.action),
    );
    const id = await engine.createContainer({
      name: containerName(project, "job", 1),
      Image: "busybox:1.36",
      Cmd: ["sh", "-c", "echo out; echo err >&2; echo kept > /data/f; exit 3"],
      Labels: projectFilter(project),
      HostConfig: { Mounts: [{ Type: "volume", Source: volume, Target: "/data" }] },
    });
    const exited = engine.waitContainer(id, "next-exit");
    await engine.startContainer(id);
    expect(await exited).toBe(3);
    const output: string[] = [];
    const logs = await engine.containerLogs(id, {}, (stream, chunk) => output.push(`${stream}:${chunk}`));
    await logs.done;
    expect(output.sort()).toEqual(["stderr:err\n", "stdout:out\n"]);
    const details = await engine.inspectContainer(id);
    expect(details.mounts).toMatchObject([{ Type: "volume", Name: volume, Destination: "/data", RW: true }]);
    await engine.renameContainer(id, `${project}-renamed`);
    expect((await engine.inspectContainer(id)).name).toBe(`${project}-renamed`);
    // The events stream trails the calls a little.
    await expect.poll(() => events).toEqual(expect.arrayContaining(["create", "start", "die"]));
    subscription.close();

    expect(await engine.removeVolume(volume)).toBe("in-use");
    await engine.removeContainer(id);
    expect(await engine.removeVolume(volume)).toBe("removed");
    expect(await engine.removeVolume(volume)).toBe("missing");
  });

  it("runs an exec and reads its exit code", async () => {
    project = uniqueProjectName("adapter3");
    const id = await engine.createContainer({
      name: containerName(project, "box", 1),
      Image: "busybox:1.36",
      Cmd: ["sleep", "300"],
      Labels: projectFilter(project),
      HostConfig: { Init: true },
    });
    await engine.startContainer(id);
    const exec = await engine.createExec(id, {
      Cmd: ["sh", "-c", "echo hi; exit 7"],
      AttachStdout: true,
      AttachStderr: true,
    });
    const attachment = await engine.startExec(exec, { tty: false, stdin: false });
    const chunks: string[] = [];
    engine.demux(attachment.output, (_s, c) => chunks.push(c.toString()));
    await new Promise((resolve) => attachment.output.on("end", resolve));
    expect(chunks.join("")).toBe("hi\n");
    expect(await engine.inspectExec(exec)).toEqual({ running: false, exitCode: 7 });
  });
});
