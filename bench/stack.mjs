// The stack scenario (issue 18): a deploy of 20 services × 3 replicas on the test swarm of scripts/swarm.sh,
// timed from the command's start until every task runs. tcompose `stack deploy --detach=false` against
// docker 28's `stack deploy --detach=false` (its own wait) and docker 20.10's `stack deploy` followed by
// `docker service ls` polled until every service shows 3/3; the floor is the engine alone (the same network
// and services by POST /networks/create and /services/create, /tasks polled). Each deploy has its own stack
// name; it is removed after the run and the harness waits until its services, containers (on every node)
// and networks are gone, untimed.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineApi, firstLine } from "./engine.mjs";
import { run, runTimed, waitForQuiet } from "./measure.mjs";
import { projectName } from "./tools.mjs";

export const SERVICES = 20;
export const REPLICAS = 3;
const IMAGE = "busybox:1.36";
const NAMESPACE = "com.docker.stack.namespace";
const DOCKER_28 = "/usr/local/bin/docker";
const DOCKER_20 = "/usr/bin/docker";
const RUN_DIR = process.env.TCS_RUN ?? "/run/tcompose-swarm";
const MANAGER = join(RUN_DIR, "node1.sock");
const DEPLOY_TIMEOUT_MS = 600_000;
const GONE_TIMEOUT_MS = 180_000;
const SWARM_UP_TIMEOUT_MS = 900_000;
// The floor asks the engine directly and cheaply; the docker 20.10 variant runs a CLI per poll (~0.1 s each).
const FLOOR_POLL_MS = 50;
const CLI_POLL_GAP_MS = 100;

export const STACK_FLOOR = {
  id: "floor",
  name: "engine alone",
  label: "engine alone (POST /networks/create, 20 × /services/create at once, /tasks polled every 50 ms)",
};

/**
 * The compose file: `version` because docker 20.10's loader refuses a file without one; `sleep` stops on
 * SIGKILL after 1 s (busybox as PID 1 ignores SIGTERM); dnsrr because this kernel has no IPVS for VIPs.
 */
export function stackCompose(services = SERVICES, replicas = REPLICAS) {
  const lines = ['version: "3.8"', "services:"];
  for (let i = 1; i <= services; i++) {
    lines.push(
      `  s${i}:`,
      `    image: ${IMAGE}`,
      "    command: sleep 3600",
      "    stop_grace_period: 1s",
      "    deploy:",
      `      replicas: ${replicas}`,
      "      endpoint_mode: dnsrr",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The spec `docker stack deploy` sends for service `short` of the file above (image unpinned). */
export function floorServiceSpec(stack, short, networkId, replicas = REPLICAS) {
  return {
    Name: `${stack}_${short}`,
    Labels: { "com.docker.stack.image": IMAGE, [NAMESPACE]: stack },
    TaskTemplate: {
      ContainerSpec: {
        Image: IMAGE,
        Labels: { [NAMESPACE]: stack },
        Args: ["sleep", "3600"],
        StopGracePeriod: 1_000_000_000,
      },
      Networks: [{ Target: networkId, Aliases: [short] }],
    },
    Mode: { Replicated: { Replicas: replicas } },
    EndpointSpec: { Mode: "dnsrr" },
  };
}

/** Tasks that run and should: the count every variant must reach. */
export function runningTasks(tasks) {
  return tasks.filter((t) => t.DesiredState === "running" && t.Status?.State === "running").length;
}

/** `docker service ls --format {{.Replicas}}` output: true once all `services` lines read `n/n`. */
export function allReplicasRunning(output, services = SERVICES, replicas = REPLICAS) {
  const lines = output.split("\n").filter(Boolean);
  return lines.length === services && lines.every((l) => l.trim() === `${replicas}/${replicas}`);
}

export function stackPrepare(dir) {
  const file = join(dir, "compose.yaml");
  writeFileSync(file, stackCompose());
  return file;
}

/** The environment of every docker CLI and tcompose call: the swarm's manager, no context. */
function swarmEnv(ctx) {
  const { DOCKER_CONTEXT: _context, ...rest } = ctx.env;
  return { ...rest, DOCKER_HOST: `unix://${MANAGER}` };
}

function skipped(message) {
  return { status: "skipped", message };
}

/**
 * Once: the cluster up (scripts/swarm.sh up, idempotent, as root; else it must already run), then which
 * docker CLIs are there. Without a swarm the scenario is skipped with the reason.
 */
export async function stackSetup(ctx, scenario) {
  scenario.file = ctx.files[scenario.name];
  scenario.env = swarmEnv(ctx);
  scenario.referenceLabels = {
    wait: "docker `stack deploy --detach=false`",
    poll: "docker 20.10 `stack deploy`, then `service ls` polled",
  };
  scenario.setupError = await swarmProblem(ctx);
  if (!scenario.setupError && !existsSync(DOCKER_20))
    scenario.setupError = skipped(`no docker CLI at ${DOCKER_20} (stack rm and the 20.10 reference need it)`);
  if (scenario.setupError) {
    ctx.note(`stack: skipped: ${scenario.setupError.message}`);
    return;
  }
  scenario.docker20 = await cliVersion(DOCKER_20);
  const v28 = existsSync(DOCKER_28) ? await cliVersion(DOCKER_28) : null;
  // `stack deploy --detach=false` waits from docker 26 on.
  scenario.docker28 = v28 && Number(v28.split(".")[0]) >= 26 ? v28 : null;
  scenario.referenceLabels = {
    wait: scenario.docker28
      ? `docker ${scenario.docker28} \`stack deploy --detach=false\``
      : `docker \`stack deploy --detach=false\` (no docker ≥ 26 at ${DOCKER_28})`,
    poll: `docker ${scenario.docker20} \`stack deploy\`, then \`service ls\` until 20 × 3/3`,
  };
  const nodes = await api(MANAGER, "GET", "/nodes");
  ctx.note(
    `stack: swarm of ${nodes.length} node(s) (${nodes.map((n) => `${n.Description?.Hostname} ${n.Status?.State}`).join(", ")}); ` +
      `references: ${scenario.docker28 ? `docker ${scenario.docker28} at ${DOCKER_28}` : `no docker ≥ 26 at ${DOCKER_28}`}, ` +
      `docker ${scenario.docker20} at ${DOCKER_20}`,
  );
}

async function swarmProblem(ctx) {
  const isRoot = process.getuid?.() === 0;
  const command = isRoot ? "up" : "status";
  const res = await runTimed("bash", [join(ctx.root, "scripts", "swarm.sh"), command], {
    cwd: ctx.root,
    env: ctx.env,
    timeoutMs: SWARM_UP_TIMEOUT_MS,
  });
  if (res.code !== 0) {
    const why = lastLine(res.stderr) || `exit code ${res.code}`;
    return skipped(
      isRoot
        ? `the test swarm could not be started (scripts/swarm.sh up: ${why})`
        : `no test swarm (scripts/swarm.sh status: ${why}) and not root to start one; run: sudo bash scripts/swarm.sh up`,
    );
  }
  try {
    const info = await api(MANAGER, "GET", "/info");
    if (!info?.Swarm?.ControlAvailable) return skipped(`${MANAGER} is not a swarm manager`);
  } catch (err) {
    return skipped(`the swarm manager does not answer at ${MANAGER}: ${err.message}`);
  }
  return null;
}

async function cliVersion(path) {
  const res = await run(path, ["version", "--format", "{{.Client.Version}}"]);
  return res.stdout.trim() || "unknown";
}

function lastLine(text) {
  return (
    String(text ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ""
  );
}

/**
 * One run of one tool. The reference runs both docker variants (28's wait, 20.10 plus polling) one after
 * the other; tcompose and the floor deploy once, and their outcome fills both tables.
 */
export async function stackOnce(ctx, tool, n, scenario) {
  if (scenario.setupError) return { wait: scenario.setupError, poll: scenario.setupError };
  if (tool.id === "ref") {
    const wait = scenario.docker28
      ? await deployed(ctx, scenario, projectName(ctx, "stack", { id: "ref28" }, n), (stack) =>
          waitingDeploy(scenario, { cmd: DOCKER_28, args: [] }, stack),
        )
      : skipped(`no docker ≥ 26 at ${DOCKER_28}`);
    await waitForQuiet();
    const poll = await deployed(ctx, scenario, projectName(ctx, "stack", { id: "ref20" }, n), (stack) =>
      pollingDeploy(ctx, scenario, stack),
    );
    return { wait, poll };
  }
  const stack = projectName(ctx, "stack", tool, n);
  let outcome;
  if (tool.id === STACK_FLOOR.id) {
    outcome = await deployed(ctx, scenario, stack, (name) => floorDeploy(ctx, name));
  } else {
    const base = tool.command();
    outcome = base
      ? await deployed(ctx, scenario, stack, (name) => waitingDeploy(scenario, base, name, true))
      : { status: "notyet", message: "dist/tcompose.cjs is not built" };
  }
  return { wait: outcome, poll: outcome };
}

/** Runs one timed deploy, checks 60 tasks run, then removes the stack and waits until it is gone. */
async function deployed(ctx, scenario, stack, deploy) {
  try {
    const outcome = await deploy(stack);
    if (outcome.status !== "ok") return outcome;
    const tasks = runningTasks(await stackTasks(stack));
    const want = SERVICES * REPLICAS;
    return tasks === want
      ? outcome
      : { status: "failed", message: `${tasks} of ${want} tasks running when the deploy ended` };
  } finally {
    await removeStack(ctx, scenario, stack);
  }
}

/** `<cli> stack deploy --detach=false -c FILE NAME`: the command waits itself; timed spawn to exit. */
async function waitingDeploy(scenario, base, stack, isTcompose = false) {
  const args = [...base.args, "stack", "deploy", "--detach=false", "-c", scenario.file, stack];
  const res = await runTimed(base.cmd, args, { env: scenario.env, timeoutMs: DEPLOY_TIMEOUT_MS });
  if (res.code === 0) return { status: "ok", seconds: res.seconds, rssKiB: null };
  const text = `${res.stderr}\n${res.stdout}`;
  if (isTcompose && /not implemented|unknown command/i.test(text))
    return { status: "notyet", message: firstLine(text) };
  return { status: "failed", message: lastLine(res.stderr) || firstLine(text) || `exit code ${res.code}` };
}

/** docker 20.10: `stack deploy` returns once the services exist; `service ls` is polled until 20 × 3/3. */
async function pollingDeploy(ctx, scenario, stack) {
  const t0 = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
  const res = await runTimed(DOCKER_20, ["stack", "deploy", "-c", scenario.file, stack], {
    env: scenario.env,
    timeoutMs: DEPLOY_TIMEOUT_MS,
  });
  if (res.code !== 0) return { status: "failed", message: lastLine(res.stderr) || `exit code ${res.code}` };
  const deployedAt = seconds();
  const ls = ["service", "ls", "--filter", `label=${NAMESPACE}=${stack}`, "--format", "{{.Replicas}}"];
  let polls = 0;
  while (seconds() * 1000 < DEPLOY_TIMEOUT_MS) {
    const out = await run(DOCKER_20, ls, { env: scenario.env });
    polls++;
    if (out.code === 0 && allReplicasRunning(out.stdout)) {
      const total = seconds();
      ctx.note(
        `stack, ${stack}: docker ${scenario.docker20} deploy returned after ${deployedAt.toFixed(2)} s, ` +
          `20 × 3/3 after ${total.toFixed(2)} s (${polls} polls)`,
      );
      return { status: "ok", seconds: total, rssKiB: null };
    }
    await sleep(CLI_POLL_GAP_MS);
  }
  return { status: "failed", message: `not 20 × 3/3 after ${DEPLOY_TIMEOUT_MS / 1000} s` };
}

/** The engine alone: the network, then the 20 services at once, then /tasks until all 60 run. */
async function floorDeploy(ctx, stack) {
  const t0 = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
  const network = await api(MANAGER, "POST", "/networks/create", {
    Name: `${stack}_default`,
    Driver: "overlay",
    Labels: { [NAMESPACE]: stack },
    CheckDuplicate: true,
  });
  await Promise.all(
    Array.from({ length: SERVICES }, (_, i) =>
      api(MANAGER, "POST", "/services/create", floorServiceSpec(stack, `s${i + 1}`, network.Id)),
    ),
  );
  const created = seconds();
  while (seconds() * 1000 < DEPLOY_TIMEOUT_MS) {
    if (runningTasks(await stackTasks(stack)) === SERVICES * REPLICAS) {
      const total = seconds();
      ctx.note(
        `stack, ${stack}: engine alone created all in ${created.toFixed(2)} s, 60 tasks running after ${total.toFixed(2)} s`,
      );
      return { status: "ok", seconds: total, rssKiB: null };
    }
    await sleep(FLOOR_POLL_MS);
  }
  return { status: "failed", message: `not 60 tasks running after ${DEPLOY_TIMEOUT_MS / 1000} s` };
}

function labelFilter(stack) {
  return encodeURIComponent(JSON.stringify({ label: { [`${NAMESPACE}=${stack}`]: true } }));
}

function stackTasks(stack) {
  return api(MANAGER, "GET", `/tasks?filters=${labelFilter(stack)}`);
}

/**
 * `docker stack rm` (20.10), then waits until the manager lists no service, task or network of the stack
 * and no node has a container or network of it left: the next run must not time this one's clean-up.
 */
async function removeStack(ctx, scenario, stack) {
  await run(DOCKER_20, ["stack", "rm", stack], { env: scenario.env });
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  let left = [];
  while (Date.now() < deadline) {
    left = await leftovers(stack);
    if (left.length === 0) return;
    await sleep(500);
  }
  ctx.note(`stack, ${stack}: still there ${GONE_TIMEOUT_MS / 1000} s after stack rm: ${left.join(", ")}`);
}

async function leftovers(stack) {
  const filter = labelFilter(stack);
  const byName = encodeURIComponent(JSON.stringify({ name: { [`${stack}_`]: true } }));
  const left = [];
  try {
    const services = await api(MANAGER, "GET", `/services?filters=${filter}`);
    if (services.length) left.push(`${services.length} service(s)`);
    const tasks = await stackTasks(stack);
    if (tasks.length) left.push(`${tasks.length} task(s)`);
    for (const node of nodeSockets()) {
      const containers = await api(node, "GET", `/containers/json?all=1&filters=${filter}`);
      if (containers.length) left.push(`${containers.length} container(s) on ${node}`);
      const networks = await api(node, "GET", `/networks?filters=${byName}`);
      if (networks.length) left.push(`network on ${node}`);
    }
  } catch (err) {
    left.push(`engine error: ${err.message}`);
  }
  return left;
}

function nodeSockets() {
  try {
    return readdirSync(RUN_DIR)
      .filter((f) => /^node\d+\.sock$/.test(f))
      .map((f) => join(RUN_DIR, f));
  } catch {
    return [MANAGER];
  }
}

/** An Engine API call to one of the swarm's engines (a minute at most). */
function api(socketPath, method, path, body) {
  return engineApi(socketPath, method, path, body, 60_000);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
