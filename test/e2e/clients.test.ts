// Real clients that shell out to a compose binary, pointed at tcompose:
//   - the devcontainers CLI (VS Code Dev Containers, Codespaces), with --docker-compose-path;
//   - testcontainers-node's DockerComposeEnvironment, which runs `docker compose`: tcompose installed as the
//     docker CLI plugin `docker-compose` in a private DOCKER_CONFIG/cli-plugins.
// Both call the docker CLI too, so they need one on PATH (scripts/engine.sh installs Debian's docker.io).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath, referenceBinary, repoRoot } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

/** The docker CLI's absolute path, found on PATH. */
const dockerCli = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((dir) => path.isAbsolute(dir))
  .map((dir) => path.join(dir, "docker"))
  .find((file) => existsSync(file));
const dockerSkipNote = dockerCli ? "" : " [SKIPPED: no docker CLI on PATH]";

/** A client's whole up: images inspected, pulled through the mirror, containers created, waited on. */
const slow = 480_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Result {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: slow });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tcompose(args: string[], cwd: string): Result {
  return run(process.execPath, [cliPath, ...args], cwd);
}

const tcomposeVersion = () => tcompose(["version", "--short"], repoRoot).stdout.trim();

let engine: Engine;
beforeAll(async () => {
  engine = await connectEngine();
});

describe.skipIf(!dockerCli)(`devcontainers CLI with --docker-compose-path tcompose${dockerSkipNote}`, () => {
  const devcontainer = path.join(repoRoot, "node_modules/@devcontainers/cli/devcontainer.js");
  // The workspace folder's name makes the project's name: random, so each run has its own project.
  const folder = `dcws${randomBytes(4).toString("hex")}`;
  const root = path.join(tmpdir(), `tct-clients-${folder}`);
  const workspace = path.join(root, folder);
  const userData = path.join(root, "data");
  // The CLI tries `docker compose` before --docker-compose-path: a docker that refuses `compose` makes
  // sure it runs tcompose, whatever compose plugin this machine's docker has.
  const dockerShim = path.join(root, "docker");
  const common = [
    "--workspace-folder",
    workspace,
    "--docker-compose-path",
    cliPath,
    "--docker-path",
    dockerShim,
    "--user-data-folder",
    userData,
  ];
  const cli = (...args: string[]) => run(process.execPath, [devcontainer, ...args, ...common], workspace);
  // The CLI's project name for Compose 1.21 and later, as with the reference (tcompose reports the Compose
  // version it follows; an older one would make the CLI name it `<folder>devcontainer`, another project).
  const projectNames = [`${folder}_devcontainer`];
  let project = "";
  let containerId = "";

  beforeAll(() => {
    mkdirSync(path.join(workspace, ".devcontainer"), { recursive: true });
    writeFileSync(path.join(workspace, "hello.txt"), "hello from the workspace\n");
    writeFileSync(
      path.join(workspace, ".devcontainer/devcontainer.json"),
      JSON.stringify({
        name: "tcompose e2e",
        dockerComposeFile: "compose.yaml",
        service: "app",
        workspaceFolder: "/workspace",
        remoteEnv: { GREETING: "hi" },
      }),
    );
    writeFileSync(
      path.join(workspace, ".devcontainer/compose.yaml"),
      [
        "services:",
        "  app:",
        "    image: python:3.11-slim-bookworm",
        // What the dev container templates do: the image's own command (python3) would exit at once.
        "    command: sleep infinity",
        // So that sleep, run by the CLI's entrypoint, stops on SIGTERM at `down`.
        "    init: true",
        "    volumes:",
        "      - ..:/workspace:cached",
        "    depends_on: [cache]",
        "  cache:",
        "    image: redis:7-bookworm",
        "",
      ].join("\n"),
    );
    writeFileSync(dockerShim, `#!/bin/sh\n[ "$1" = compose ] && exit 1\nexec '${dockerCli}' "$@"\n`, {
      mode: 0o755,
    });
  });
  afterAll(async () => {
    for (const name of projectNames) await removeProject(engine, name);
    rmSync(root, { recursive: true, force: true });
  });

  it(
    "up: tcompose makes the service's container with the CLI's labels, and its dependency",
    async () => {
      const up = cli("up", "--log-level", "trace");
      expect(up.code, up.stderr).toBe(0);
      // The CLI ran tcompose: it logs the version its compose binary reports.
      expect(up.stderr).toContain(`Docker Compose version: ${tcomposeVersion()}`);
      const outcome = JSON.parse(up.stdout.trim().split("\n").at(-1) ?? "{}");
      expect(outcome).toMatchObject({ outcome: "success", remoteWorkspaceFolder: "/workspace" });
      project = outcome.composeProjectName;
      containerId = outcome.containerId;
      expect(project).toBe(projectNames[0]);

      const containers = await engine.listContainers({ [label.project]: project }, { all: true });
      const byService = Object.fromEntries(containers.map((c) => [c.labels[label.service], c]));
      expect(Object.keys(byService).sort()).toEqual(["app", "cache"]);
      expect(byService.app?.id).toBe(containerId);
      expect(byService.app?.state).toBe("running");
      expect(byService.cache?.state).toBe("running");
      expect(byService.app?.labels).toMatchObject({
        "devcontainer.local_folder": workspace,
        "devcontainer.config_file": path.join(workspace, ".devcontainer/devcontainer.json"),
        [label.project]: project,
      });
      // The CLI's override file (its entrypoint and labels) is one of the project's files.
      const files = byService.app?.labels[label.configFiles]?.split(",") ?? [];
      expect(files[0]).toBe(path.join(workspace, ".devcontainer/compose.yaml"));
      expect(files).toHaveLength(2);
    },
    slow,
  );

  it("exec runs in the service's container, in the workspace folder, with remoteEnv", () => {
    expect(containerId).not.toBe("");
    const r = cli("exec", "sh", "-c", 'cat hello.txt; pwd; echo "$GREETING"; . /etc/os-release; echo "$ID"');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("hello from the workspace\n/workspace\nhi\ndebian\n");
  });

  it.skipIf(!referenceBinary)(
    "the reference computes the same config hashes (it sees the project up to date)",
    async () => {
      const containers = await engine.listContainers({ [label.project]: project }, { all: true });
      const files = containers[0]?.labels[label.configFiles]?.split(",") ?? [];
      const hashes = run(
        referenceBinary as string,
        ["-p", project, ...files.flatMap((f) => ["-f", f]), "config", "--hash", "*"],
        workspace,
      );
      expect(hashes.code, hashes.stderr).toBe(0);
      const labelled = containers
        .map((c) => `${c.labels[label.service]} ${c.labels[label.configHash]}`)
        .sort()
        .join("\n");
      expect(hashes.stdout.trim().split("\n").sort().join("\n")).toBe(labelled);
    },
  );

  it("a second up reuses the container", () => {
    expect(containerId).not.toBe("");
    const again = cli("up");
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      outcome: "success",
      containerId,
      composeProjectName: project,
    });
  });

  it("tcompose down -p removes the project (the CLI has no down)", async () => {
    expect(project).not.toBe("");
    const down = tcompose(["-p", project, "down"], root);
    expect(down.code, down.stderr).toBe(0);
    expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
    expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
  });
});

describe.skipIf(!dockerCli)(
  `testcontainers DockerComposeEnvironment with tcompose as \`docker compose\`${dockerSkipNote}`,
  () => {
    const root = path.join(tmpdir(), `tct-clients-tc-${randomBytes(4).toString("hex")}`);
    const dockerConfig = path.join(root, "docker-config");
    const project = uniqueProjectName("clients-tc");
    const env: Record<string, string> = {
      // The docker CLI finds plugins in $DOCKER_CONFIG/cli-plugins before its system directories.
      DOCKER_CONFIG: dockerConfig,
      // Ryuk, its reaper container, is an image this offline engine does not have.
      TESTCONTAINERS_RYUK_DISABLED: "true",
      // Else it may run a container of another image it does not have (alpine) to find the host.
      TESTCONTAINERS_HOST_OVERRIDE: "localhost",
    };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));

    beforeAll(() => {
      mkdirSync(path.join(dockerConfig, "cli-plugins"), { recursive: true });
      symlinkSync(cliPath, path.join(dockerConfig, "cli-plugins/docker-compose"));
      writeFileSync(
        path.join(root, "compose.yaml"),
        [
          "services:",
          "  cache:",
          "    image: redis:7-bookworm",
          '    ports: ["6379"]',
          "  web:",
          "    image: python:3.11-slim-bookworm",
          "    init: true",
          '    command: ["python", "-m", "http.server", "8000"]',
          '    ports: ["8000"]',
          "    depends_on: [cache]",
          "",
        ].join("\n"),
      );
      Object.assign(process.env, env);
    });
    afterAll(async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await removeProject(engine, project);
      rmSync(root, { recursive: true, force: true });
    });

    it("`docker compose` is tcompose through the plugin protocol", () => {
      const r = run(dockerCli as string, ["compose", "version"], root);
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: `tcompose version ${tcomposeVersion()}\n` });
      const info = run(dockerCli as string, ["info", "--format", "{{json .ClientInfo.Plugins}}"], root);
      expect(JSON.parse(info.stdout)).toContainEqual(
        expect.objectContaining({ Name: "compose", Vendor: "tcompose", SchemaVersion: "0.1.0" }),
      );
    });

    it(
      "up with wait strategies, mapped ports that answer, down",
      async () => {
        const { DockerComposeEnvironment, Wait } = await import("testcontainers");
        const environment = await new DockerComposeEnvironment(root, "compose.yaml")
          .withProjectName(project)
          .withWaitStrategy("cache-1", Wait.forLogMessage("Ready to accept connections"))
          .withWaitStrategy("web-1", Wait.forHttp("/", 8000))
          .up();

        const cache = environment.getContainer("cache-1");
        const pong = await new Promise<string>((resolve, reject) => {
          const socket = connect(cache.getMappedPort(6379), cache.getHost(), () => socket.write("PING\r\n"));
          socket.setEncoding("utf8").once("data", (data: string) => {
            socket.end();
            resolve(data);
          });
          socket.once("error", reject);
        });
        expect(pong).toBe("+PONG\r\n");
        const web = environment.getContainer("web-1");
        const page = await fetch(`http://${web.getHost()}:${web.getMappedPort(8000)}/`);
        expect(page.status).toBe(200);

        const containers = await engine.listContainers({ [label.project]: project }, { all: true });
        expect(containers.map((c) => c.labels[label.service]).sort()).toEqual(["cache", "web"]);
        // Made by a compose: config hashes and the files, as tcompose writes them.
        for (const c of containers) {
          expect(c.labels[label.configHash]).toMatch(/^[0-9a-f]{64}$/);
          expect(c.labels[label.configFiles]).toBe(path.join(root, "compose.yaml"));
        }

        await environment.down();
        expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
        expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
      },
      slow,
    );
  },
);
