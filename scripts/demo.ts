// The Quick start's demo until the flask-redis example replaces it: a one-service stack (busybox httpd)
// brought up through tcompose's engine adapter, with the same names and labels docker compose would use,
// so `docker compose -p tcompose-demo ps` sees it too. Run twice: it reuses what is already running.
import { createHash } from "node:crypto";
import { connectEngine, type Engine } from "../src/project/engine/index.js";
import { containerName, label, oneoffValue, projectFilter, scopedName } from "../src/project/labels.js";

const project = "tcompose-demo";
const service = "web";
const image = "busybox:1.36";
const url = "http://127.0.0.1:8088/";

async function ensureNetwork(engine: Engine): Promise<string> {
  const name = scopedName(project, "default");
  const found = await engine.listNetworks({ ...projectFilter(project), [label.network]: "default" });
  if (found[0]) return found[0].name;
  await engine.createNetwork({
    Name: name,
    Driver: "bridge",
    Labels: { ...projectFilter(project), [label.network]: "default" },
  });
  return name;
}

async function ensureContainer(engine: Engine, network: string): Promise<void> {
  const filter = { ...projectFilter(project), [label.service]: service };
  const [existing] = await engine.listContainers(filter, { all: true });
  if (existing?.state === "running") return;
  if (existing) await engine.removeContainer(existing.id, { force: true });
  if (!(await engine.hasImage(image))) await engine.pullImage(image);
  const command = [
    "sh",
    "-c",
    "mkdir -p /www && echo 'hello from tcompose' > /www/index.html && exec httpd -f -p 8080 -h /www",
  ];
  const id = await engine.createContainer({
    name: containerName(project, service, 1),
    Image: image,
    Cmd: command,
    Labels: {
      ...projectFilter(project),
      [label.service]: service,
      [label.containerNumber]: "1",
      [label.oneoff]: oneoffValue(false),
      [label.workingDir]: process.cwd(),
      [label.configFiles]: "",
      [label.dependsOn]: "",
      // A stand-in until the config hash of the `up` work: the reference ignores containers without one.
      [label.configHash]: createHash("sha256").update(JSON.stringify(command)).digest("hex"),
    },
    ExposedPorts: { "8080/tcp": {} },
    HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "8088" }] } },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service] } } },
  });
  await engine.startContainer(id);
}

async function fetchPage(): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url);
      return (await response.text()).trim();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function up(): Promise<void> {
  const engine = await connectEngine();
  await ensureContainer(engine, await ensureNetwork(engine));
  console.log(`${containerName(project, service, 1)} is running; ${url} says: ${await fetchPage()}`);
  console.log("Tear it down with: npm run demo -- down   (or: docker compose -p tcompose-demo down)");
}

async function down(): Promise<void> {
  const engine = await connectEngine();
  for (const c of await engine.listContainers(projectFilter(project), { all: true })) {
    await engine.removeContainer(c.id, { force: true });
  }
  for (const n of await engine.listNetworks(projectFilter(project))) await engine.removeNetwork(n.id);
  console.log(`removed the ${project} project`);
}

const action = process.argv[2] ?? "up";
try {
  await (action === "down" ? down() : up());
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
