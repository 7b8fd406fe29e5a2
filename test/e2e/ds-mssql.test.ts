// examples/ds-mssql: JupyterLab + SQL Server. Neither real image can be fetched offline, so: the real
// compose.yaml is checked by `config` (against the reference) and `--dry-run up`; the whole life cycle runs
// with compose.offline.yaml, which swaps both for stand-ins built from python:3.11-slim-bookworm. Each
// test works in a temp copy of the example, so the bind mount writes outside the repository.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { projectFilter } from "../../src/project/labels.js";
import { cliPath, referenceBinary, referenceSkipNote, repoRoot } from "../helpers/paths.js";
import { removeProject } from "../helpers/project.js";

const example = path.join(repoRoot, "examples/ds-mssql");
const offline = ["-f", "compose.yaml", "-f", "compose.offline.yaml"];

let engine: Engine;
const projects: string[] = [];
const dirs: string[] = [];
beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const p of projects) {
    await removeProject(engine, p);
    for (const image of await engine.listImages(projectFilter(p)))
      await engine.removeImage(image.id, { force: true });
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function projectName(): string {
  const name = `tcds${randomBytes(4).toString("hex")}`;
  projects.push(name);
  return name;
}

/** A copy of the example (without a real .env or CI results), with `.env` made from `.env.example`. */
function copyOfExample(withEnv = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tcds-"));
  dirs.push(dir);
  const skipped = new Set([".env", ".ci-result.json", "__pycache__", ".ipynb_checkpoints"]);
  cpSync(example, dir, { recursive: true, filter: (src) => !skipped.has(path.basename(src)) });
  if (withEnv) cpSync(path.join(dir, ".env.example"), path.join(dir, ".env"));
  return dir;
}

function envValue(dir: string, name: string): string {
  const line = readFileSync(path.join(dir, ".env"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`${name} not in .env`);
  return line.slice(name.length + 1);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  file: string,
  pre: string[],
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Run {
  const r = spawnSync(file, [...pre, ...args], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const ours = (dir: string, args: string[], env?: Record<string, string>) =>
  run(process.execPath, [cliPath], dir, args, env);
const docker = (...args: string[]) => run("docker", [], process.cwd(), args);

async function leftovers(project: string) {
  const filter = projectFilter(project);
  return {
    containers: (await engine.listContainers(filter, { all: true })).map((c) => c.names),
    networks: (await engine.listNetworks(filter)).map((n) => n.name),
    volumes: (await engine.listVolumes(filter)).map((v) => v.name),
    images: (await engine.listImages(filter)).map((i) => i.repoTags),
  };
}
const nothing = { containers: [], networks: [], volumes: [], images: [] };

describe("examples/ds-mssql: the committed files", () => {
  it("git ignores .env (the password) but not .env.example", () => {
    const ignored = (file: string) =>
      spawnSync("git", ["check-ignore", "-q", `examples/ds-mssql/${file}`], { cwd: repoRoot }).status;
    expect(ignored(".env")).toBe(0);
    expect(ignored("notebooks/.ci-result.json")).toBe(0);
    expect(ignored(".env.example")).toBe(1);
  });

  it("the sample notebook is valid nbformat 4 JSON and uses the helper module", () => {
    const nb = JSON.parse(readFileSync(path.join(example, "notebooks/connect.ipynb"), "utf8"));
    expect(nb.nbformat).toBe(4);
    const code = nb.cells
      .filter((c: { cell_type: string }) => c.cell_type === "code")
      .map((c: { source: string[] }) => c.source.join(""))
      .join("\n");
    expect(code).toContain("import mssql");
    expect(code).toContain("pyodbc.connect(mssql.connection_string()");
  });
});

describe(`examples/ds-mssql: config of the real compose.yaml${referenceSkipNote}`, () => {
  it.skipIf(!referenceBinary)("is the reference's, with .env made from .env.example", () => {
    const dir = copyOfExample();
    const args = ["-p", "tcdsconfig", "config", "--format", "json"];
    const env = { APP_PORT: "19501" };
    const mine = ours(dir, args, env);
    const theirs = run(referenceBinary ?? "", [], dir, args, env);
    expect(mine.code, mine.stderr).toBe(0);
    expect(theirs.code, theirs.stderr).toBe(0);
    const config = JSON.parse(mine.stdout);
    expect(config).toEqual(JSON.parse(theirs.stdout));

    const { app, db } = config.services;
    const password = envValue(dir, "MSSQL_SA_PASSWORD");
    expect(app.environment).toMatchObject({
      DB_HOST: "db",
      DB_PORT: "1433",
      MSSQL_SA_PASSWORD: password,
      PYTHONPATH: "/home/jovyan/src",
    });
    expect(app.tty).toBe(true);
    expect(app.depends_on.db.condition).toBe("service_healthy");
    expect(app.ports).toEqual([
      expect.objectContaining({ host_ip: "127.0.0.1", published: "19501", target: 8888 }),
    ]);
    // Notebooks and code, both from the host.
    expect(app.volumes).toEqual([
      expect.objectContaining({
        type: "bind",
        source: path.join(dir, "notebooks"),
        target: "/home/jovyan/work",
      }),
      expect.objectContaining({ type: "bind", source: path.join(dir, "src"), target: "/home/jovyan/src" }),
    ]);
    expect(db.image).toBe("mcr.microsoft.com/mssql/server:2022-latest");
    expect(db.environment).toMatchObject({ ACCEPT_EULA: "Y", MSSQL_SA_PASSWORD: password });
    expect(db.volumes[0]).toMatchObject({ type: "volume", source: "mssql-data", target: "/var/opt/mssql" });
    // config prints `$` doubled: the password is left to the container's shell, not written in the test.
    expect(db.healthcheck.test.join(" ")).toContain(
      '/opt/mssql-tools18/bin/sqlcmd -C -S localhost -U sa -P "$$MSSQL_SA_PASSWORD" -Q "SELECT 1"',
    );
    expect(mine.stdout).not.toContain("host.docker.internal");
  });

  it.skipIf(!referenceBinary)("without .env, fails like the reference, saying to copy .env.example", () => {
    const dir = copyOfExample(false);
    const args = ["-p", "tcdsconfig", "config"];
    const mine = ours(dir, args);
    const theirs = run(referenceBinary ?? "", [], dir, args);
    expect(theirs.code).toBe(15);
    expect(mine.code).toBe(theirs.code);
    expect(theirs.stderr).toContain("cp .env.example .env");
    expect(mine.stderr).toContain("required variable MSSQL_SA_PASSWORD is missing a value");
    expect(mine.stderr).toContain("cp .env.example .env");
  });
});

describe("examples/ds-mssql: --dry-run up on the real compose.yaml", () => {
  // Offline the reference itself cannot do this one: its dry run asks mcr.microsoft.com for the image's
  // digest and exits 18 (observed on docker compose 2.26.1).
  it("exits 0, says what it would do, and touches nothing", async () => {
    const dir = copyOfExample();
    const project = projectName();
    const r = ours(dir, ["-p", project, "--progress", "plain", "--dry-run", "up", "-d"], {
      APP_PORT: "19503",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("DRY-RUN MODE");
    expect(r.stderr).toContain(`Container ${project}-app-1  Started`);
    expect(await leftovers(project)).toEqual(nothing);
  });
});

describe("examples/ds-mssql: the life cycle with the offline stand-ins (compose.offline.yaml)", () => {
  it("builds both, starts app once db is healthy; app sees db by name, its env, a TTY, both bind mounts; down leaves nothing", async () => {
    const dir = copyOfExample();
    const project = projectName();
    const port = "19502";
    const cli = (args: string[]) =>
      ours(dir, ["-p", project, "--progress", "plain", ...offline, ...args], { APP_PORT: port });

    const up = cli(["up", "-d", "--build", "--wait"]);
    expect(up.code, up.stderr).toBe(0);
    // BuildKit's steps, on stdout as the reference prints them.
    expect(up.stdout).toMatch(/^#\d+ naming to docker\.io\/library\/\S+-db done$/m);
    expect(up.stdout).toMatch(/^#\d+ naming to docker\.io\/library\/\S+-app done$/m);
    // Health gating: app starts only after db is reported healthy.
    const dbHealthy = up.stderr.indexOf(`Container ${project}-db-1  Healthy`);
    const appStarting = up.stderr.indexOf(`Container ${project}-app-1  Starting`);
    expect(dbHealthy).toBeGreaterThan(-1);
    expect(appStarting).toBeGreaterThan(dbHealthy);
    expect(up.stderr).toContain(`Container ${project}-app-1  Healthy`);
    const inspectService = async (service: string) => {
      const [summary] = await engine.listContainers({
        ...projectFilter(project),
        "com.docker.compose.service": service,
      });
      return engine.inspectContainer(summary?.id ?? "");
    };
    const [db, app] = [await inspectService("db"), await inspectService("app")];
    // Health gating, by the clock too: the app container started after db's healthcheck first passed (the
    // stand-in's healthcheck writes that time before it exits; the engine marks db healthy only after).
    const healthySince = docker("exec", db.name, "cat", "/tmp/standin-healthy-since");
    expect(healthySince.code, healthySince.stderr).toBe(0);
    const appStarted = Date.parse(app.state.startedAt ?? "");
    expect(appStarted).not.toBeNaN();
    expect(appStarted).toBeGreaterThan(Number(healthySince.stdout) * 1000);

    // The stand-in wrote its result through the bind mount into the host's notebooks folder.
    const resultFile = path.join(dir, "notebooks/.ci-result.json");
    expect(existsSync(resultFile)).toBe(true);
    const result = JSON.parse(readFileSync(resultFile, "utf8"));
    expect(result.checks).toEqual({
      DB_HOST: true,
      DB_PORT: true,
      DB_NAME: true,
      DB_USER: true,
      MSSQL_SA_PASSWORD: true,
      no_host_docker_internal: true,
      dns: true,
      select_1: true,
      stdin_tty: true,
      stdout_tty: true,
      code_mount: true,
      module: true,
    });
    expect(result.ok).toBe(true);
    // The app waits for db (up to a minute), but started after db was healthy it needed no second try.
    expect(result.details.db_attempts).toBe(1);
    expect(result.details.connection_string_server).toBe("SERVER=db,1433");
    // The helper came from the code mount (./src on PYTHONPATH), not from the image or the notebooks.
    expect(result.details.module_file).toBe("/home/jovyan/src/mssql.py");
    const password = envValue(dir, "MSSQL_SA_PASSWORD");
    expect(result.details.password_sha256).toBe(createHash("sha256").update(password).digest("hex"));

    // `db` resolved to the db container's address on the project network.
    const [dbSummary] = await engine.listContainers({
      ...projectFilter(project),
      "com.docker.compose.service": "db",
    });
    expect(result.details.db_address).toBe(dbSummary?.networks[`${project}_default`]);

    // Both bind mounts, read-write from the host's copy of the example; code written on the host now is
    // importable in the container at once (PYTHONPATH is the code mount).
    expect(
      app.mounts
        .filter((m) => m.Type === "bind")
        .map((m) => ({ source: m.Source, destination: m.Destination, rw: m.RW }))
        .sort((a, b) => a.destination.localeCompare(b.destination)),
    ).toEqual([
      { source: path.join(dir, "src"), destination: "/home/jovyan/src", rw: true },
      { source: path.join(dir, "notebooks"), destination: "/home/jovyan/work", rw: true },
    ]);
    const marker = randomBytes(4).toString("hex");
    writeFileSync(path.join(dir, "src/tcds_probe.py"), `VALUE = "${marker}"\n`);
    const probe = docker("exec", app.name, "python", "-c", "import tcds_probe; print(tcds_probe.VALUE)");
    expect(probe.stdout, probe.stderr).toBe(`${marker}\n`);

    // The app container: a TTY, and its port published on 127.0.0.1 serves the same result.
    expect(app.tty).toBe(true);
    expect(app.ports["8888/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: port }]);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).json()).toEqual(result);
    expect((await engine.listVolumes(projectFilter(project))).map((v) => v.name)).toEqual([
      `${project}_mssql-data`,
    ]);

    const down = cli(["down", "-v", "--rmi", "local"]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`Volume ${project}_mssql-data  Removed`);
    // The images by their tags, as the reference prints them (observed on docker compose 2.26.1:
    // `Image P-app:latest  Removed`, the RepoTags of the labelled images); tcompose adds `:latest` as well.
    expect(down.stderr).toContain(`Image ${project}-app:latest  Removed`);
    expect(down.stderr).toContain(`Image ${project}-db:latest  Removed`);
    expect(await leftovers(project)).toEqual(nothing);
  });
});
