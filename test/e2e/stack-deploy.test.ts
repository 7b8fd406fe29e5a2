// `tcompose stack deploy` where it goes beyond `docker stack deploy` (issue 18) and reads its input: --build
// (built and pushed, then run on every node), the whole current loader (.env, extends, profiles, no
// `version:`), the file found without -c, `-d NAME`, and bad flags. The cluster behaviour (updates,
// rollbacks, secrets, placement) is test/e2e/stack-cluster.test.ts; the specs against docker's are
// test/e2e/stack.reference.test.ts.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmService, SwarmTask } from "../../src/project/engine/swarm-types.js";
import { repoRoot } from "../helpers/paths.js";
import { api, oracle, removeStack, stackObjects, tcomposeOnSwarm } from "../helpers/stack.js";
import { swarmDockerOk, swarmNodes, swarmSkipNote, taskContainer, useSwarm } from "../helpers/swarm.js";

const fixtures = join(repoRoot, "test/fixtures/stack-deploy");
const id = randomBytes(3).toString("hex");
const filters = (f: Record<string, string[]>) => encodeURIComponent(JSON.stringify(f));
const output = (r: { status: number | null; stdout: string; stderr: string }) =>
  `exit ${r.status}\n${r.stdout}${r.stderr}`;

/** A copy of a fixture directory to run in (the tests write nothing into the repository). */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tcs-${fixture}-`));
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  return dir;
}

async function runningTasks(service: string): Promise<SwarmTask[]> {
  const tasks = await api<SwarmTask[]>(`/tasks?filters=${filters({ service: [service] })}`);
  return tasks.filter((t) => t.DesiredState === "running" && t.Status.State === "running");
}

describe.skipIf(swarmSkipNote !== "")(`stack deploy, beyond docker's${swarmSkipNote}`, () => {
  const stacks: string[] = [];
  const dirs: string[] = [];
  const stack = (name: string) => {
    const full = `tsd${name}${id}`;
    stacks.push(full);
    return full;
  };
  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
  }, 300_000);
  afterAll(async () => {
    await Promise.all(stacks.map((s) => removeStack(s))).finally(release);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 180_000);

  it("--build builds the image on the manager, pushes it, and every node runs it", async () => {
    const dir = copyOf("build");
    dirs.push(dir);
    const name = stack("build");
    const image = `127.0.0.1:5000/tcs-stack-build-${id}:1`;
    const r = await tcomposeOnSwarm(
      ["stack", "deploy", "--build", "--detach=false", "-c", "compose.yaml", name],
      dir,
      {
        IMAGE: image,
      },
    );
    expect(r.status, output(r)).toBe(0);
    expect(r.stderr).not.toContain("Ignoring unsupported options: build");
    expect(r.stdout).toContain(`Creating service ${name}_app`);
    expect(r.stdout).toContain("app 3/3 running");
    const service = await api<SwarmService>(`/services/${name}_app`);
    // Pinned to the digest of the pushed image, as the registry serves it.
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:5000/tcs-stack-build-${id}:1@sha256:[0-9a-f]{64}$`),
    );
    const tasks = await runningTasks(`${name}_app`);
    expect(tasks).toHaveLength(3);
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(Math.min(3, swarmNodes));
    const nodes = new Map(
      (await api<{ ID: string; Description?: { Hostname?: string } }[]>("/nodes")).map((n) => [
        n.ID,
        n.Description?.Hostname ?? "",
      ]),
    );
    for (const t of tasks) {
      const [host, container] = taskContainer({ id: t.ID, node: nodes.get(t.NodeID ?? "") ?? "", state: "" });
      expect(swarmDockerOk(["exec", container, "cat", "/message"], host)).toBe("built by tcompose\n");
    }
  }, 360_000);

  it("reads the file with tcompose's loader: no version, .env, extends, profiles; found without -c; -d NAME", async () => {
    const dir = copyOf("loader");
    dirs.push(dir);
    const name = stack("loader");
    const r = await tcomposeOnSwarm(["stack", "deploy", "-d", name], dir);
    expect(r.status, output(r)).toBe(0);
    expect(r.stderr).not.toContain("version");
    expect(r.stdout).toBe(`Creating network ${name}_default\nCreating service ${name}_web\n`);
    const web = await api<SwarmService>(`/services/${name}_web`);
    expect(web.Spec.Mode?.Replicated?.Replicas).toBe(2);
    expect(web.Spec.Labels?.["com.docker.stack.image"]).toBe("busybox:1.36");
    expect(web.Spec.TaskTemplate.ContainerSpec.Env).toEqual(["ROLE=web"]);
    expect(web.Spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(1_000_000_000);
    expect(web.Spec.EndpointSpec?.Mode).toBe("dnsrr");
    expect((await stackObjects(name)).sort()).toEqual([`network ${name}_default`, `service ${name}_web`]);

    // --profile enables the service the profile holds.
    const withDebug = await tcomposeOnSwarm(
      ["--profile", "debug", "stack", "deploy", "-c", "compose.yaml", name],
      dir,
    );
    expect(withDebug.status, output(withDebug)).toBe(0);
    expect(withDebug.stdout).toContain(`Creating service ${name}_debug`);
    expect(withDebug.stdout).toContain(`Updating service ${name}_web (id: ${web.ID})`);
  });

  it("names the service when its published port is taken or its image cannot be pulled, and exits 1", async () => {
    const dir = copyOf("bad");
    dirs.push(dir);
    const [first, second, ghost] = [stack("porta"), stack("portb"), stack("ghost")];
    const port = String(30_000 + Math.floor(Math.random() * 2000));
    const taken = await tcomposeOnSwarm(["stack", "deploy", "-c", "port.yaml", first], dir, { PORT: port });
    expect(taken.status, output(taken)).toBe(0);
    const clash = await tcomposeOnSwarm(["stack", "deploy", "-c", "port.yaml", second], dir, { PORT: port });
    expect(clash.status, output(clash)).toBe(1);
    expect(clash.stderr).toMatch(
      new RegExp(
        `^tcompose: failed to create service ${second}_web: Error response from daemon: .*port '${port}' is already in use by service '${first}_web'`,
        "m",
      ),
    );
    // The registry cannot be asked (docker's warning), then the nodes cannot pull: the wait names the service
    // and the engine's error.
    const r = await tcomposeOnSwarm(
      ["stack", "deploy", "--detach=false", "-c", "unpullable.yaml", ghost],
      dir,
    );
    expect(r.status, output(r)).toBe(1);
    expect(r.stderr).toContain(
      "image 127.0.0.1:5000/tcs-no-such-image:1 could not be accessed on a registry",
    );
    expect(r.stderr).toMatch(
      /^tcompose: service "ghost" failed to converge: .*(No such image|not found|manifest unknown)/m,
    );
  }, 360_000);

  it("makes a stack network whose name a local network on the manager has, as docker does", async () => {
    // The manager keeps a local copy of a removed stack's network while a stale endpoint holds it (moby#42119);
    // a local bridge network stands for it. docker creates the swarm network beside it (no CheckDuplicate);
    // tcompose refused with "network with name … already exists" (CI, stack.reference 20-interpolation).
    const dir = copyOf("local-network");
    dirs.push(dir);
    const net = `tsdlocal${id}`;
    const local = await oracle(["network", "create", "-d", "bridge", net]);
    expect(local.status, output(local)).toBe(0);
    const localId = local.stdout.trim();
    try {
      for (const [tool, name] of [
        ["docker", stack("localdocker")],
        ["tcompose", stack("localtc")],
      ] as const) {
        const args = ["stack", "deploy", "-c", "compose.yaml", name];
        const r =
          tool === "docker"
            ? await oracle(args, dir, { NET: net })
            : await tcomposeOnSwarm(args, dir, { NET: net });
        expect(r.status, `${tool}: ${output(r)}`).toBe(0);
        const named = await api<
          { Id: string; Driver: string; Scope: string; Labels: Record<string, string> }[]
        >(`/networks?filters=${filters({ name: [net] })}`);
        const swarm = named.filter((n) => n.Id !== localId);
        expect(
          swarm.map((n) => [n.Driver, n.Scope, n.Labels["com.docker.stack.namespace"]]),
          tool,
        ).toEqual([["overlay", "swarm", name]]);
        await removeStack(name);
      }
    } finally {
      await oracle(["network", "rm", localId]);
    }
  }, 360_000);

  it("refuses bad flags and files before anything is made", async () => {
    const dir = copyOf("loader");
    dirs.push(dir);
    const name = stack("bad");
    const resolve = await tcomposeOnSwarm(["stack", "deploy", "--resolve-image", "sometimes", name], dir);
    expect(resolve.status).toBe(1);
    expect(resolve.stderr).toBe("tcompose: Invalid option sometimes for flag --resolve-image\n");
    const missing = await tcomposeOnSwarm(["stack", "deploy", "-c", "nope.yaml", name], dir);
    expect(missing.status, output(missing)).not.toBe(0);
    expect(missing.stderr).toContain("nope.yaml");
    const noName = await tcomposeOnSwarm(["stack", "deploy", "-c", "compose.yaml"], dir);
    expect(noName.status).toBe(1);
    expect(noName.stderr).toContain("requires exactly 1 argument");
    expect(await stackObjects(name)).toEqual([]);
  });
});

describe("stack config", () => {
  it("prints the model tcompose's loader makes of the files, interpolated or not", async () => {
    const dir = copyOf("loader");
    try {
      const r = await tcomposeOnSwarm(["stack", "config", "-c", "compose.yaml"], dir);
      expect(r.status, output(r)).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("image: busybox:1.36");
      expect(r.stdout).toMatch(/replicas: 2\n/);
      expect(r.stdout).not.toContain("debug:");
      const raw = await tcomposeOnSwarm(
        ["stack", "config", "-c", "compose.yaml", "--skip-interpolation"],
        dir,
      );
      expect(raw.status, output(raw)).toBe(0);
      expect(raw.stdout).toContain("${REPLICAS}");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
