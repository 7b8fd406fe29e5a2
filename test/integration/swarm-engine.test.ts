import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineCore } from "../../src/project/engine/core.js";
import { dryRunEngine, isDryRunId } from "../../src/project/engine/dry-run.js";
import {
  connectEngine,
  type Engine,
  EngineError,
  type OutputStream,
  type ServiceSpec,
  type SwarmService,
  type SwarmTask,
} from "../../src/project/engine/index.js";
import * as swarm from "../../src/project/engine/swarm.js";
import { type EngineProxy, socketOf, startEngineProxy } from "../helpers/engine-proxy.js";
import {
  managerHost,
  removeSwarmObjects,
  swarmDocker,
  swarmDockerOk,
  swarmNodes,
  swarmSkipNote,
  useSwarm,
} from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

// The engine adapter's swarm calls (swarm.ts) against the manager of the test swarm, through a recording
// proxy (what went on the wire: headers and queries). Everything carries the stack label of its own
// namespace and is removed afterwards, pass or fail.
describe.skipIf(swarmSkipNote !== "")(`engine adapter: swarm calls${swarmSkipNote}`, () => {
  const ns = `tcs-se-${randomBytes(3).toString("hex")}`;
  const labels = { "com.docker.stack.namespace": ns };
  const name = {
    secret: `${ns}_secret`,
    config: `${ns}_config`,
    network: `${ns}_default`,
    web: `${ns}_web`,
    echo: `${ns}_echo`,
    tty: `${ns}_tty`,
    dialled: `${ns}_dialled`,
  };
  const base64 = (text: string) => Buffer.from(text).toString("base64");
  let engine: Engine;
  let proxy: EngineProxy;

  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
    proxy = await startEngineProxy(socketOf(managerHost) ?? "");
    engine = await connectEngine({ ...process.env, DOCKER_HOST: proxy.host, DOCKER_CONTEXT: "" });
  }, 300_000);

  afterAll(async () => {
    await removeSwarmObjects([name.web, name.echo, name.tty, name.dialled], [name.network]).finally(release);
    swarmDocker(["secret", "rm", name.secret, name.dialled]);
    swarmDocker(["config", "rm", name.config]);
    await proxy?.close();
  }, 120_000);

  /** A service's inspect once its version has not moved for half a second. */
  async function settled(id: string): Promise<SwarmService | undefined> {
    let last = await engine.inspectService(id);
    await waitFor(`service ${id} to settle`, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await engine.inspectService(id);
      const same = now?.Version.Index === last?.Version.Index;
      last = now;
      return same;
    });
    return last;
  }

  /** A connection without the light client, as for an ssh endpoint: every request goes through dockerode. */
  async function dockerodeCore(): Promise<EngineCore> {
    const core = await EngineCore.connect(
      { kind: "unix", socketPath: socketOf(proxy.host) ?? "" },
      { forImage: () => undefined, all: () => ({}) },
    );
    Object.defineProperty(core, "http", { value: undefined });
    return core;
  }

  /** The tasks of a service, once `ready` holds for them (a failed task fails the wait with its error). */
  async function tasksOnce(service: string, ready: (tasks: SwarmTask[]) => boolean): Promise<SwarmTask[]> {
    let tasks: SwarmTask[] = [];
    await waitFor(
      `the tasks of ${service}`,
      async () => {
        tasks = await engine.listTasks({ service: [service] });
        const failed = tasks.find((t) => t.Status.State === "failed" || t.Status.State === "rejected");
        if (failed) throw new Error(`${service}: ${failed.Status.Err}`);
        return ready(tasks);
      },
      90_000,
      () => JSON.stringify(tasks.map((t) => t.Status)),
    );
    return tasks;
  }

  it("tells a manager's swarm state from an engine's outside any swarm", async () => {
    const self = swarmDockerOk(["node", "inspect", "self", "--format", "{{.ID}}"]).trim();
    expect(await engine.swarmState()).toEqual({
      nodeId: self,
      localNodeState: "active",
      controlAvailable: true,
    });
    const plain = await connectEngine({
      ...process.env,
      DOCKER_HOST: "unix:///var/run/docker.sock",
      DOCKER_CONTEXT: "",
    });
    expect(await plain.swarmState()).toEqual({
      nodeId: "",
      localNodeState: "inactive",
      controlAvailable: false,
    });
  });

  it("creates, lists, inspects, updates and removes secrets, configs, networks and services", async () => {
    // Secrets and configs: created with labels, found by label and by name, labels updated by version.
    const secretId = await engine.createSecret({
      Name: name.secret,
      Labels: labels,
      Data: base64("s3cret\n"),
    });
    const configId = await engine.createConfig({ Name: name.config, Labels: labels, Data: base64("k=v\n") });
    const [secret] = await engine.listSecrets({ label: labels });
    expect(secret).toMatchObject({ ID: secretId, Spec: { Name: name.secret, Labels: labels } });
    expect(secret?.Spec.Data).toBeUndefined();
    expect((await engine.listSecrets({ name: [name.secret] })).map((s) => s.ID)).toEqual([secretId]);
    const [config] = await engine.listConfigs({ label: { "com.docker.stack.namespace": ns } });
    expect(config).toMatchObject({
      ID: configId,
      Spec: { Name: name.config, Labels: labels, Data: base64("k=v\n") },
    });
    await engine.updateSecret(secretId, secret?.Version.Index ?? 0, {
      ...(secret?.Spec ?? { Name: name.secret }),
      Labels: { ...labels, extra: "1" },
    });
    const [updated] = await engine.listSecrets({ label: { extra: true, ...labels } });
    expect(updated?.ID).toBe(secretId);
    expect(updated?.Version.Index).toBeGreaterThan(secret?.Version.Index ?? 0);
    await engine.updateConfig(configId, config?.Version.Index ?? 0, {
      ...(config?.Spec ?? { Name: "" }),
      Labels: {},
    });
    expect(await engine.listConfigs({ label: labels })).toEqual([]);

    const networkId = await engine.createNetwork({ Name: name.network, Driver: "overlay", Labels: labels });

    // A service using them.
    const spec: ServiceSpec = {
      Name: name.web,
      Labels: { ...labels, "com.docker.stack.image": "busybox:1.36" },
      TaskTemplate: {
        ContainerSpec: {
          Image: "busybox:1.36",
          Command: ["sleep", "3600"],
          Labels: labels,
          StopGracePeriod: 1_000_000_000,
          Secrets: [
            {
              SecretID: secretId,
              SecretName: name.secret,
              File: { Name: "app_secret", UID: "0", GID: "0", Mode: 0o444 },
            },
          ],
          Configs: [
            {
              ConfigID: configId,
              ConfigName: name.config,
              File: { Name: "/app.conf", UID: "0", GID: "0", Mode: 0o444 },
            },
          ],
        },
        Networks: [{ Target: name.network, Aliases: ["web"] }],
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr" },
    };
    const created = await engine.createService(spec);
    expect(created).toEqual({ id: expect.stringMatching(/^[a-z0-9]{25}$/), warnings: [] });

    expect((await engine.listServices({ label: labels })).map((s) => [s.ID, s.Spec.Name])).toEqual([
      [created.id, name.web],
    ]);
    expect(await engine.listServices({ label: { "com.docker.stack.namespace": "tcs-none" } })).toEqual([]);
    const [withStatus] = await engine.listServices({ name: [name.web] }, { status: true });
    expect(withStatus?.ServiceStatus?.DesiredTasks).toBe(1);

    const inspected = await engine.inspectService(name.web);
    expect(inspected?.ID).toBe(created.id);
    expect(inspected?.Spec).toMatchObject({
      Name: name.web,
      Labels: spec.Labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: "busybox:1.36",
          Command: ["sleep", "3600"],
          Secrets: spec.TaskTemplate.ContainerSpec.Secrets,
          Configs: spec.TaskTemplate.ContainerSpec.Configs,
        },
        // The engine names the network by its ID.
        Networks: [{ Target: networkId, Aliases: ["web"] }],
      },
      EndpointSpec: { Mode: "dnsrr" },
    });
    expect(await engine.inspectService(`${ns}_missing`)).toBeUndefined();

    // Its task goes to one of the nodes (that it then starts there is the engine's business).
    const [task] = await tasksOnce(created.id, (tasks) =>
      tasks.some((t) => t.DesiredState === "running" && t.NodeID),
    );
    expect(task).toMatchObject({ ServiceID: created.id, DesiredState: "running", Slot: 1 });
    const nodes = await engine.listNodes();
    expect(nodes).toHaveLength(swarmNodes);
    expect(nodes.map((n) => n.ID)).toContain(task?.NodeID);
    expect(nodes.filter((n) => n.ManagerStatus?.Leader).map((n) => n.Description?.Hostname)).toEqual([
      "tcs-node1",
    ]);
    const running = await engine.listTasks({ service: [name.web], "desired-state": ["running"] });
    expect(running.map((t) => t.ID)).toEqual([task?.ID]);

    // What a service uses is not removed.
    expect(await engine.removeSecret(name.secret)).toBe("in-use");
    expect(await engine.removeConfig(configId)).toBe("in-use");

    // Updates go by version (a registry login as the X-Registry-Auth header); a stale version is refused;
    // a rollback restores the previous spec.
    // (Each read of the version once swarm has stopped writing the service: its allocator writes it a moment
    // after a create or an update, and a full run once met "update out of sequence" for that.)
    const version = (await settled(created.id))?.Version.Index ?? 0;
    const relabelled = { ...spec, Labels: { ...spec.Labels, updated: "1" } };
    const auth = Buffer.from(JSON.stringify({ username: "u", password: "p" })).toString("base64url");
    expect(await engine.updateService(created.id, version, relabelled, { registryAuth: auth })).toEqual({
      warnings: [],
    });
    const updateRequests = () =>
      proxy.calls.filter((c) => c.event === "request" && c.path === `/services/${created.id}/update`);
    expect(updateRequests().map((c) => [Object.fromEntries(c.query), c.headers["x-registry-auth"]])).toEqual([
      [{ version: String(version) }, auth],
    ]);
    const after = await settled(created.id);
    expect(after?.Spec.Labels?.updated).toBe("1");
    expect(after?.PreviousSpec?.Labels).toEqual(spec.Labels);
    expect(after?.Version.Index).toBeGreaterThan(version);
    await expect(engine.updateService(created.id, version, relabelled)).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof EngineError &&
        e.message.startsWith(`service ${name.web}: `) &&
        /out of sequence/.test(e.message),
    );
    await engine.updateService(created.id, after?.Version.Index ?? 0, relabelled, {
      rollback: "previous",
      registryAuthFrom: "previous-spec",
    });
    expect(Object.fromEntries(updateRequests().at(-1)?.query ?? [])).toEqual({
      version: String(after?.Version.Index),
      rollback: "previous",
      registryAuthFrom: "previous-spec",
    });
    expect((await engine.inspectService(created.id))?.Spec.Labels).toEqual(spec.Labels);

    // --dry-run: the writes answer without reaching the engine.
    const dry = dryRunEngine(engine);
    const pretend = await dry.createService({ ...spec, Name: `${ns}_dry` });
    expect(isDryRunId(pretend.id)).toBe(true);
    expect(await dry.removeService(created.id)).toBe("removed");
    expect(await dry.removeSecret(name.secret)).toBe("removed");
    expect((await engine.listServices({ label: labels })).map((s) => s.ID)).toEqual([created.id]);
    expect((await engine.listSecrets({ label: labels })).map((s) => s.ID)).toEqual([secretId]);

    // Removal: the service, then what it used.
    expect(await engine.removeService(created.id)).toBe("removed");
    expect(await engine.removeService(created.id)).toBe("missing");
    expect(await engine.removeSecret(name.secret)).toBe("removed");
    expect(await engine.removeSecret(name.secret)).toBe("missing");
    expect(await engine.removeConfig(name.config)).toBe("removed");
    expect(await engine.removeConfig(name.config)).toBe("missing");
    // The network, once the manager no longer counts it as used by the service.
    await waitFor(
      `removal of ${name.network}`,
      () => engine.removeNetwork(networkId).then(() => true),
      60_000,
    );
    expect(await engine.listServices({ label: labels })).toEqual([]);
  });

  it("reads a service's logs, demultiplexed or from a TTY, with each task's details", async () => {
    const job = (service: string, tty: boolean): ServiceSpec => ({
      Name: service,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: "busybox:1.36",
          Command: ["sh", "-c", "echo one; echo two >&2; echo three"],
          TTY: tty,
        },
        RestartPolicy: { Condition: "none" },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr" },
    });
    const [echo, tty] = await Promise.all([
      engine.createService(job(name.echo, false)),
      engine.createService(job(name.tty, true)),
    ]);
    const complete = (tasks: SwarmTask[]) => tasks.some((t) => t.Status.State === "complete");
    const [[echoTask], [ttyTask]] = await Promise.all([
      tasksOnce(echo.id, complete),
      tasksOnce(tty.id, complete),
    ]);

    const read = async (id: string, options: Parameters<Engine["serviceLogs"]>[1], core?: EngineCore) => {
      const out: Record<OutputStream, string> = { stdout: "", stderr: "" };
      const onChunk = (stream: OutputStream, chunk: Buffer) => {
        out[stream] += chunk.toString("utf8");
      };
      const logs = await (core
        ? swarm.serviceLogs(core, id, options, onChunk)
        : engine.serviceLogs(id, options, onChunk));
      await logs.done;
      return out;
    };
    const details = (task: SwarmTask | undefined, service: string) =>
      `com.docker.swarm.node.id=${task?.NodeID},com.docker.swarm.service.id=${service},com.docker.swarm.task.id=${task?.ID}`;
    const prefix = details(echoTask, echo.id);
    expect(await read(echo.id, { details: true })).toEqual({
      stdout: `${prefix} one\n${prefix} three\n`,
      stderr: `${prefix} two\n`,
    });
    expect(await read(name.echo, {})).toEqual({ stdout: "one\nthree\n", stderr: "two\n" });
    expect(await read(name.echo, {}, await dockerodeCore())).toEqual({
      stdout: "one\nthree\n",
      stderr: "two\n",
    });
    // A TTY's output is not multiplexed: all of it on stdout, its lines ending as the terminal ends them.
    const ttyPrefix = details(ttyTask, tty.id);
    expect(await read(tty.id, { details: true })).toEqual({
      stdout: `${ttyPrefix} one\r\n${ttyPrefix} two\r\n${ttyPrefix} three\r\n`,
      stderr: "",
    });
    expect(await read(tty.id, { tty: true })).toEqual({ stdout: "one\r\ntwo\r\nthree\r\n", stderr: "" });

    await expect(read(`${ns}_missing`, {})).rejects.toSatisfy(
      (e: unknown) => e instanceof EngineError && e.statusCode === 404,
    );
    expect(await engine.removeService(echo.id)).toBe("removed");
    expect(await engine.removeService(tty.id)).toBe("removed");
  });

  it("sends the same requests through dockerode (ssh endpoints)", async () => {
    const core = await dockerodeCore();
    const seen = proxy.calls.length;
    expect((await swarm.swarmState(core)).localNodeState).toBe("active");

    const secretId = await swarm.createData(core, "secret", {
      Name: name.dialled,
      Labels: labels,
      Data: base64("x"),
    });
    const [secret] = await swarm.listData(core, "secret", { label: labels, name: [name.dialled] });
    expect(secret).toMatchObject({ ID: secretId, Spec: { Name: name.dialled, Labels: labels } });
    await swarm.updateData(core, "secret", secretId, secret?.Version.Index ?? 0, {
      Name: name.dialled,
      Labels: { ...labels, more: "1" },
    });
    expect((await swarm.listData(core, "secret", { label: { more: "1" } })).map((s) => s.ID)).toEqual([
      secretId,
    ]);

    const auth = base64('{"username":"u"}');
    const spec: ServiceSpec = {
      Name: name.dialled,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: "busybox:1.36",
          Command: ["sleep", "3600"],
          Secrets: [
            {
              SecretID: secretId,
              SecretName: name.dialled,
              File: { Name: "s", UID: "0", GID: "0", Mode: 0o400 },
            },
          ],
        },
      },
      Mode: { Replicated: { Replicas: 0 } },
      EndpointSpec: { Mode: "dnsrr" },
    };
    const created = await swarm.createService(core, spec, { registryAuth: auth });
    expect(created).toEqual({ id: expect.stringMatching(/^[a-z0-9]{25}$/), warnings: [] });
    const service = await swarm.inspectService(core, name.dialled);
    expect(service?.Spec).toMatchObject({
      Name: name.dialled,
      Labels: labels,
      Mode: { Replicated: { Replicas: 0 } },
    });
    expect(await swarm.inspectService(core, `${ns}_missing`)).toBeUndefined();
    await swarm.updateService(
      core,
      created.id,
      service?.Version.Index ?? 0,
      { ...spec, Labels: {} },
      { registryAuth: auth },
    );
    const [listed] = await swarm.listServices(core, { name: [name.dialled] }, { status: true });
    expect(listed?.Spec.Labels).toEqual({});
    expect(listed?.ServiceStatus).toEqual({ RunningTasks: 0, DesiredTasks: 0, CompletedTasks: 0 });
    const writes = proxy.calls
      .slice(seen)
      .filter(
        (c) =>
          c.event === "request" &&
          (c.path === "/services/create" || c.path === `/services/${created.id}/update`),
      );
    expect(writes.map((c) => [c.path, Object.fromEntries(c.query), c.headers["x-registry-auth"]])).toEqual([
      ["/services/create", {}, auth],
      [`/services/${created.id}/update`, { version: String(service?.Version.Index) }, auth],
    ]);
    expect(await swarm.listTasks(core, { service: [created.id] })).toEqual([]);

    expect(await swarm.removeData(core, "secret", secretId)).toBe("in-use");
    expect(await swarm.removeService(core, created.id)).toBe("removed");
    expect(await swarm.removeService(core, created.id)).toBe("missing");
    expect(await swarm.removeData(core, "secret", secretId)).toBe("removed");
    expect(await swarm.removeData(core, "secret", secretId)).toBe("missing");
  });
});
