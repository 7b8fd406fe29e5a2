// The differential test of `tcompose stack deploy` against `docker stack deploy` (issue 18): runners for both
// tools on the test swarm, the collection of a stack's objects, and the normalizer of what legitimately
// differs between two deploys of the same file.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runAsync } from "./engine-proxy.js";
import { cliPath, repoRoot } from "./paths.js";
import { managerHost, nodeSockets, type Run, swarmNodes } from "./swarm.js";

/** The oracle: Debian's docker.io CLI (20.10), not the newer docker first on PATH. */
export const oracleDocker = "/usr/bin/docker";
export const fixturesDir = join(repoRoot, "test/fixtures/stack");
const namespaceLabel = "com.docker.stack.namespace";
const socketPath = managerHost.replace(/^unix:\/\//, "");

/** A directory of test/fixtures/stack, with its optional fixture.json. */
export interface StackFixture {
  /** The directory name, e.g. "07-ports". */
  id: string;
  dir: string;
  /** The -c files, in order (default compose.yaml). */
  files: string[];
  /** Environment variables both tools get on top of the test's own. */
  env: Record<string, string>;
  /** Files deployed a second time over the first deploy, under the same name (an update), if any. */
  update?: string[];
  /** Swarm objects the file declares external: made before the deploys, removed after. */
  external: { networks?: string[]; secrets?: string[]; configs?: string[] };
}

export function stackFixtures(): StackFixture[] {
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d\d-/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((id) => {
      const dir = join(fixturesDir, id);
      const metaPath = join(dir, "fixture.json");
      const meta = existsSync(metaPath)
        ? (JSON.parse(readFileSync(metaPath, "utf8")) as Partial<StackFixture>)
        : {};
      return {
        id,
        dir,
        files: meta.files ?? ["compose.yaml"],
        env: meta.env ?? {},
        ...(meta.update ? { update: meta.update } : {}),
        external: meta.external ?? {},
      };
    });
}

export type Tool = "docker" | "tcompose";

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Run> {
  return runAsync(command, args, {
    cwd,
    env: { ...process.env, DOCKER_HOST: managerHost, DOCKER_CONTEXT: "", ...env },
    timeoutMs,
  }).then(
    ({ code, stdout, stderr }) => ({ status: code, stdout, stderr }),
    (error: Error) => ({ status: -1, stdout: "", stderr: error.message }),
  );
}

/** The oracle CLI against the test swarm's manager. */
export function oracle(args: string[], cwd = repoRoot, env: Record<string, string> = {}): Promise<Run> {
  return run(oracleDocker, args, cwd, env);
}

/** `stack deploy -c FILE… NAME` of the fixture (or of other files) with one tool, from its directory. */
export function deployStack(
  tool: Tool,
  fixture: StackFixture,
  name: string,
  files = fixture.files,
): Promise<Run> {
  const args = ["stack", "deploy", ...files.flatMap((f) => ["-c", f]), name];
  // tcompose waits for depends_on dependencies to start: long on a loaded machine.
  return tool === "docker"
    ? run(oracleDocker, args, fixture.dir, fixture.env)
    : run(process.execPath, [cliPath, ...args], fixture.dir, fixture.env, 240_000);
}

/** GET on the manager's Engine API (the inspect documents, without a CLI process per call). */
export function api<T>(path: string, socket = socketPath): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: `/v1.41${path}`, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        if ((res.statusCode ?? 500) >= 300)
          reject(new Error(`GET ${path}: ${res.statusCode} ${body.trim()}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on("error", reject);
    req.end();
  });
}

type Doc = Record<string, unknown>;

/** The raw inspect documents of a stack's objects, and the names of every object an ID could refer to. */
export interface StackDocs {
  services: Doc[];
  networks: Doc[];
  secrets: Doc[];
  configs: Doc[];
  /** ID → name of every network, secret and config of the swarm (external ones too). */
  names: Map<string, string>;
}

const labelFilter = (name: string) =>
  encodeURIComponent(JSON.stringify({ label: [`${namespaceLabel}=${name}`] }));

/** Everything labelled with the stack's namespace, as `docker service/network/secret/config inspect` shows it. */
export async function collectStack(name: string): Promise<StackDocs> {
  const filter = labelFilter(name);
  const [services, networkList, secrets, configs, allNetworks, allSecrets, allConfigs] = await Promise.all([
    api<Doc[]>(`/services?filters=${filter}`),
    api<Doc[]>(`/networks?filters=${filter}`),
    api<Doc[]>(`/secrets?filters=${filter}`),
    api<Doc[]>(`/configs?filters=${filter}`),
    api<{ Id: string; Name: string }[]>("/networks"),
    api<{ ID: string; Spec: { Name: string } }[]>("/secrets"),
    api<{ ID: string; Spec: { Name: string } }[]>("/configs"),
  ]);
  // The list leaves fields out that inspect has (Containers, Peers): inspect each, as the CLI does. A
  // network being removed may be gone by then.
  const inspected = await Promise.all(
    networkList.map((n) => api<Doc>(`/networks/${n.Id as string}`).catch(() => undefined)),
  );
  const networks = inspected.filter((n): n is Doc => n !== undefined);
  const names = new Map<string, string>();
  for (const n of allNetworks) names.set(n.Id, n.Name);
  for (const s of [...allSecrets, ...allConfigs]) names.set(s.ID, s.Spec.Name);
  return { services, networks, secrets, configs, names };
}

/**
 * The allocator has handled the service: Endpoint.Spec is set (empty for dnsrr without ports), the ports
 * are there, and in vip mode the mode and a VIP on each network.
 */
function allocated(service: Doc): boolean {
  const spec = service.Spec as Doc;
  const endpoint = service.Endpoint as Doc | undefined;
  if (!endpoint?.Spec) return false;
  // An update that changes the tasks: the orchestrator sets UpdateStatus when its rollout begins, a moment
  // after the update call (CI once compared one side before that).
  const previous = service.PreviousSpec as Doc | undefined;
  if (
    previous &&
    JSON.stringify(previous.TaskTemplate) !== JSON.stringify(spec.TaskTemplate) &&
    !service.UpdateStatus
  )
    return false;
  // After an update the previous allocation is still there until the allocator's next write (CI once
  // compared a service whose Endpoint had the old published port and lacked the new network's VIP): the
  // spec's ports and networks must all be in it.
  const ports = ((spec.EndpointSpec as Doc | undefined)?.Ports as Doc[] | undefined) ?? [];
  const given = (endpoint.Ports as Doc[] | undefined) ?? [];
  if (given.length < ports.length) return false;
  const same = (a: Doc, b: Doc) =>
    a.TargetPort === b.TargetPort &&
    (a.Protocol ?? "tcp") === (b.Protocol ?? "tcp") &&
    a.PublishedPort === b.PublishedPort;
  if (!ports.every((p) => p.PublishedPort === undefined || given.some((g) => same(p, g)))) return false;
  const mode = ((spec.EndpointSpec as Doc | undefined)?.Mode as string | undefined) ?? "vip";
  if (mode !== "vip") return true;
  const networks = ((spec.TaskTemplate as Doc).Networks as Doc[] | undefined) ?? [];
  const vips = (endpoint.VirtualIPs as Doc[] | undefined) ?? [];
  return (
    (endpoint.Spec as Doc | undefined)?.Mode === "vip" &&
    networks.every((n) => vips.some((v) => v.NetworkID === n.Target))
  );
}

/**
 * collectStack once swarm's allocator has given every service its Endpoint (it does so just after the
 * create; before, the field is absent).
 */
export async function collectAllocated(name: string, timeoutMs = 20_000): Promise<StackDocs> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const docs = await collectStack(name);
    if (docs.services.every(allocated) || Date.now() > deadline) return docs;
    await sleep(100);
  }
}

/** The names of what a stack has on the swarm (empty when nothing is left). */
export async function stackObjects(name: string): Promise<string[]> {
  // Networks as listed: collectStack leaves out one whose inspect failed while it was being removed, and
  // its name is still taken then.
  const [d, networks] = await Promise.all([
    collectStack(name),
    api<{ Name: string }[]>(`/networks?filters=${labelFilter(name)}`),
  ]);
  return [
    ...d.services.map((s) => `service ${(s.Spec as Doc).Name}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...d.secrets.map((s) => `secret ${(s.Spec as Doc).Name}`),
    ...d.configs.map((c) => `config ${(c.Spec as Doc).Name}`),
  ];
}

/**
 * The containers of a stack's tasks still on the nodes: a removed service's tasks leave the swarm's lists
 * seconds before their containers are gone, and with them their hold on the stack's networks. A node whose
 * engine is stopped (the failover test) holds nothing that could be asked.
 */
async function taskContainers(name: string): Promise<string[]> {
  const lists = await Promise.all(
    nodeSockets.map((socket, i) =>
      api<{ Names: string[] }[]>(`/containers/json?all=1&filters=${labelFilter(name)}`, socket).then(
        (list) => list.map((c) => `container ${c.Names[0] ?? "?"} on node ${i + 1}`),
        () => [],
      ),
    ),
  );
  return lists.flat();
}

/**
 * Removes the stack with the oracle (`stack rm` works by label, whichever tool deployed) and waits until
 * nothing of it is left, task containers on the nodes included: a network stays until the removed services'
 * tasks have stopped on every node, and the next deploy under the same name would meet it.
 */
export async function removeStack(name: string, timeoutMs = 120_000): Promise<void> {
  const leftOver = async () => [...(await stackObjects(name)), ...(await taskContainers(name))];
  if ((await leftOver()).length === 0) return;
  await oracle(["stack", "rm", name]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftOver();
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`stack ${name}: still there after stack rm: ${left.join(", ")}`);
    // A network whose removal was refused while tasks still used it: ask again.
    const networks = left.filter((l) => l.startsWith("network ")).map((l) => l.slice("network ".length));
    const others = left.filter((l) => !l.startsWith("network ") && !l.startsWith("container "));
    if (networks.length > 0 && others.length === 0) await oracle(["network", "rm", ...networks]);
    await sleep(200);
  }
}

/** Creates the fixture's external objects (idempotent). */
export async function createExternals(fixture: StackFixture): Promise<void> {
  const { networks = [], secrets = [], configs = [] } = fixture.external;
  for (const n of networks) {
    if ((await oracle(["network", "inspect", n])).status !== 0)
      await must(oracle(["network", "create", "-d", "overlay", "--attachable", n]));
  }
  for (const [kind, list] of [
    ["secret", secrets],
    ["config", configs],
  ] as const) {
    for (const s of list) {
      if ((await oracle([kind, "inspect", s])).status !== 0)
        await must(oracle([kind, "create", s, join(fixturesDir, "external.txt")]));
    }
  }
}

export async function removeExternals(fixture: StackFixture): Promise<void> {
  const { networks = [], secrets = [], configs = [] } = fixture.external;
  if (secrets.length > 0) await oracle(["secret", "rm", ...secrets]);
  if (configs.length > 0) await oracle(["config", "rm", ...configs]);
  if (networks.length > 0) await oracle(["network", "rm", ...networks]);
}

/**
 * Removes the volumes named with the prefix on every node (the tasks made them; `stack rm` leaves volumes).
 * Best effort: one still in use stays.
 */
export async function removeNodeVolumes(prefix: string): Promise<void> {
  for (let n = 1; n <= swarmNodes; n++) {
    const env = { DOCKER_HOST: managerHost.replace(/node1\.sock$/, `node${n}.sock`) };
    const list = await oracle(["volume", "ls", "-q", "--filter", `name=${prefix}`], repoRoot, env);
    const names = list.stdout.split("\n").filter((v) => v.startsWith(prefix));
    if (names.length > 0) await oracle(["volume", "rm", ...names], repoRoot, env);
  }
}

async function must(p: Promise<Run>): Promise<string> {
  const r = await p;
  if (r.status !== 0) throw new Error(`docker failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

// --- normalizing ------------------------------------------------------------------------------------------

/** The stack as compared: each kind by object name. */
export interface NormalizedStack {
  services: Record<string, unknown>;
  networks: Record<string, unknown>;
  secrets: Record<string, unknown>;
  configs: Record<string, unknown>;
}

const idName = (names: Map<string, string>, id: unknown) =>
  typeof id === "string" ? `<id of ${names.get(id) ?? "unknown"}>` : id;

/** Subnets swarm picks from its default pool (10.0.0.0/8 in /24s) differ between deploys; written ones do not. */
const poolAddress = (value: unknown) =>
  typeof value === "string" && value.startsWith("10.") ? "<pool address>" : value;

const refName = (ref: Doc) => (ref.SecretName ?? ref.ConfigName) as string;
const refTarget = (ref: Doc) => ((ref.File as Doc | undefined)?.Name as string | undefined) ?? "";

/** Orders the references of one name by target, each run of equal names where it stands. */
function sortWithinSameName(refs: Doc[]): Doc[] {
  const out: Doc[] = [];
  for (let i = 0; i < refs.length; ) {
    let j = i;
    while (j < refs.length && refName(refs[j] as Doc) === refName(refs[i] as Doc)) j++;
    out.push(...refs.slice(i, j).sort((a, b) => refTarget(a).localeCompare(refTarget(b))));
    i = j;
  }
  return out;
}

function normalizeService(service: Doc, names: Map<string, string>): Doc {
  const s = structuredClone(service);
  for (const key of ["ID", "Version", "CreatedAt", "UpdatedAt"]) delete s[key];
  // Where the rolling update stands depends on the moment of the inspect.
  if (s.UpdateStatus) s.UpdateStatus = "<present>";
  // A job's iteration counter and last run time.
  delete s.JobStatus;
  for (const spec of [s.Spec, s.PreviousSpec] as (Doc | undefined)[]) {
    if (!spec) continue;
    const task = spec.TaskTemplate as Doc;
    for (const nets of [task.Networks, spec.Networks] as (Doc[] | undefined)[])
      for (const n of nets ?? []) n.Target = idName(names, n.Target);
    const container = (task.ContainerSpec ?? {}) as Doc;
    for (const ref of (container.Secrets ?? []) as Doc[]) ref.SecretID = idName(names, ref.SecretID);
    for (const ref of (container.Configs ?? []) as Doc[]) ref.ConfigID = idName(names, ref.ConfigID);
    // docker sorts the references by name only, after a map: two of one secret come in either order.
    for (const key of ["Secrets", "Configs"]) {
      const refs = container[key] as Doc[] | undefined;
      if (Array.isArray(refs)) container[key] = sortWithinSameName(refs);
    }
    const credential = (container.Privileges as Doc | undefined)?.CredentialSpec as Doc | null | undefined;
    if (credential?.Config) credential.Config = idName(names, credential.Config);
  }
  const endpoint = s.Endpoint as Doc | undefined;
  if (endpoint) {
    // The VIPs' addresses come from the networks' pools; which networks have one is kept.
    if (Array.isArray(endpoint.VirtualIPs))
      endpoint.VirtualIPs = (endpoint.VirtualIPs as Doc[])
        .map((v) => ({ NetworkID: idName(names, v.NetworkID) }))
        .sort((a, b) => String(a.NetworkID).localeCompare(String(b.NetworkID)));
    // A port published without a number gets the next free one of swarm's range (30000+).
    const written = (((s.Spec as Doc).EndpointSpec as Doc | undefined)?.Ports ?? []) as Doc[];
    for (const port of (endpoint.Ports ?? []) as Doc[]) {
      const assigned = !written.some(
        (w) => w.TargetPort === port.TargetPort && w.Protocol === port.Protocol && w.PublishedPort,
      );
      if (assigned) port.PublishedPort = "<assigned>";
    }
  }
  return s;
}

function normalizeNetwork(network: Doc): Doc {
  const n = structuredClone(network);
  // Containers and Peers are the tasks and nodes attached at the moment of the inspect.
  for (const key of ["Id", "Created", "Containers", "Peers", "Services"]) delete n[key];
  const ipam = n.IPAM as Doc | undefined;
  for (const config of (ipam?.Config ?? []) as Doc[]) {
    config.Subnet = poolAddress(config.Subnet);
    config.Gateway = poolAddress(config.Gateway);
  }
  const options = n.Options as Doc | null | undefined;
  if (options) delete options["com.docker.network.driver.overlay.vxlanid_list"];
  return n;
}

function normalizeObject(object: Doc): Doc {
  const o = structuredClone(object);
  for (const key of ["ID", "Version", "CreatedAt", "UpdatedAt"]) delete o[key];
  return o;
}

const byName = (docs: Doc[], nameOf: (d: Doc) => string, f: (d: Doc) => Doc) =>
  Object.fromEntries(
    docs.map((d) => [nameOf(d), f(d)]).sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

const specName = (d: Doc) => (d.Spec as Doc).Name as string;

/**
 * Keeps everything two deploys of the same file must agree on; replaces IDs by names, and the stack's name
 * by `<stack>` (each tool deploys under its own name). Pure.
 */
export function normalizeStack(docs: StackDocs, stackName: string): NormalizedStack {
  const stack = {
    services: byName(docs.services, specName, (d) => normalizeService(d, docs.names)),
    networks: byName(docs.networks, (d) => d.Name as string, normalizeNetwork),
    secrets: byName(docs.secrets, specName, normalizeObject),
    configs: byName(docs.configs, specName, normalizeObject),
  };
  return JSON.parse(JSON.stringify(stack).replaceAll(stackName, "<stack>")) as NormalizedStack;
}

export interface Difference {
  path: string;
  docker: unknown;
  tcompose: unknown;
}

/** The leaves where two documents differ, by path (`services.s_web.Spec.Labels.x`); arrays by index. Pure. */
export function differences(docker: unknown, tcompose: unknown, path = ""): Difference[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (isObject(docker) && isObject(tcompose) && Array.isArray(docker) === Array.isArray(tcompose)) {
    const keys = [...new Set([...Object.keys(docker), ...Object.keys(tcompose)])].sort();
    return keys.flatMap((k) => differences(docker[k], tcompose[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(docker) === JSON.stringify(tcompose) ? [] : [{ path, docker, tcompose }];
}

/** One line per difference, for a failure message or a report. */
export function formatDifferences(list: Difference[]): string {
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  return list.map((d) => `${d.path}: docker ${show(d.docker)}, tcompose ${show(d.tcompose)}`).join("\n");
}

/** The two stack names of a fixture (one per deploy): deterministic, so a run removes what an interrupted one left. */
export function fixtureStackNames(fixture: StackFixture): [string, string] {
  const n = fixture.id.slice(0, 2);
  return [`tcsref${n}d`, `tcsref${n}t`];
}

export interface Deployed {
  deploy: Run;
  stack: NormalizedStack;
}

/** Names of networks, secrets and configs the file fixes with `name:` (not under the stack's namespace). */
function fixedNames(docs: StackDocs, name: string): string[] {
  const all = [
    ...docs.networks.map((n) => n.Name as string),
    ...[...docs.secrets, ...docs.configs].map(specName),
  ];
  return all.filter((n) => !n.startsWith(`${name}_`));
}

/**
 * Waits until no network, secret or config of the swarm has one of the names: the second deploy creates
 * them again (CI once met "network with name tcsref-monitoring already exists" right after `removeStack`).
 */
async function namesFree(names: string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [networks, secrets, configs] = await Promise.all([
      api<{ Name: string }[]>("/networks"),
      api<{ Spec: { Name: string } }[]>("/secrets"),
      api<{ Spec: { Name: string } }[]>("/configs"),
    ]);
    const taken = new Set([
      ...networks.map((n) => n.Name),
      ...[...secrets, ...configs].map((o) => o.Spec.Name),
    ]);
    // A network is also looked up by name, as the engine does before it creates one.
    const found = await Promise.all(
      names.map((n) =>
        api(`/networks/${encodeURIComponent(n)}`).then(
          () => true,
          () => false,
        ),
      ),
    );
    const left = names.filter((n, i) => taken.has(n) || found[i]);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still taken after stack rm: ${left.join(", ")}`);
    await sleep(200);
  }
}

/** For a failure's message: each node's answer to a network inspect of each name, and the swarm's tasks. */
async function heldNames(names: string[]): Promise<string> {
  const lines = await Promise.all(
    names.flatMap((name) =>
      nodeSockets.map((socket, i) =>
        api<Doc>(`/networks/${encodeURIComponent(name)}`, socket).then(
          (n) =>
            `node ${i + 1}: ${name} ${n.Id as string} scope ${n.Scope as string} containers ${JSON.stringify(n.Containers)}`,
          (e: Error) => `node ${i + 1}: ${name} ${e.message.slice(0, 120)}`,
        ),
      ),
    ),
  );
  const tasks = await api<Doc[]>("/tasks").catch(() => []);
  return `${lines.join("; ")}; ${tasks.length} tasks on the swarm`;
}

/** The fixture's deploy and, when it has one, its update: the first failure, else the last run. */
async function deployAndUpdate(tool: Tool, fixture: StackFixture, name: string): Promise<Run> {
  const deploy = await deployStack(tool, fixture, name);
  if (deploy.status !== 0 || !fixture.update) return deploy;
  // The update meets the stack as the allocator left it, as a user's second deploy does.
  await collectAllocated(name);
  return deployStack(tool, fixture, name, fixture.update);
}

/**
 * Deploys the fixture with docker, then with `tool`, each under its own stack name, and collects both.
 * docker's stack is removed, and waited for, before the second deploy (its published ports free again);
 * when the file fixes object names, the second deploy also waits until those are gone. The second stack is
 * removed without waiting: `removeStack` in afterAll waits for both.
 */
export async function deployBoth(
  fixture: StackFixture,
  tool: Tool,
): Promise<{ docker: Deployed; other: Deployed }> {
  const [first, second] = fixtureStackNames(fixture);
  await Promise.all([removeStack(first), removeStack(second)]);
  const timing = process.env.TCS_STACK_TIMING ? (m: string) => console.error(`${fixture.id} ${m}`) : () => {};
  let t = Date.now();
  const lap = () => {
    const now = Date.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  try {
    const dockerDeploy = await deployAndUpdate("docker", fixture, first);
    timing(`docker deploy ${lap()} ms`);
    const dockerDocs = await collectAllocated(first);
    timing(`docker collect ${lap()} ms`);
    const fixed = fixedNames(dockerDocs, first);
    // Gone entirely before the second deploy: its published ports are taken until then (the second stack
    // would wait for them, unallocated), and the names the file fixes too.
    await removeStack(first);
    if (fixed.length > 0) await namesFree(fixed);
    timing(`docker rm ${lap()} ms`);
    const otherDeploy = await deployAndUpdate(tool, fixture, second);
    if (otherDeploy.status !== 0 && fixed.length > 0) {
      otherDeploy.stderr += `\n(what the engines held then: ${await heldNames(fixed)})`;
    }
    timing(`${tool} deploy ${lap()} ms`);
    const otherDocs = await collectAllocated(second);
    timing(`${tool} collect ${lap()} ms`);
    return {
      docker: { deploy: dockerDeploy, stack: normalizeStack(dockerDocs, first) },
      other: { deploy: otherDeploy, stack: normalizeStack(otherDocs, second) },
    };
  } finally {
    await oracle(["stack", "rm", first, second]);
  }
}

/** tcompose (dist/tcompose.cjs) against the test swarm's manager, from `cwd`. */
export function tcomposeOnSwarm(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  // A build, a push and a wait for every task: minutes on a loaded machine.
  return run(process.execPath, [cliPath, ...args], cwd, env, 300_000);
}
