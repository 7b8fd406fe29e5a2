// `run`, `start` and `scale` on the real engine, through the CLI: a one-off container beside its
// dependencies (labels, name, exit code, streams kept apart, stdin), and the start/scale paths of `up`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
const projects: string[] = [];
beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const p of projects) await removeProject(engine, p);
});

const sleeper = "    image: busybox:1.36\n    init: true\n    command: sleep 3600\n";

function stack(compose: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "tct-run-"));
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  const project = uniqueProjectName("run");
  projects.push(project);
  const cli = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [cliPath, "-p", project, "--progress", "plain", ...args], {
      cwd: dir,
      encoding: "utf8",
      ...(input !== undefined ? { input } : {}),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, project, cli };
}

describe("run", () => {
  it("runs a one-off container after its dependencies, with the command's exit code and separate streams", async () => {
    const { project, cli } = stack(
      `services:\n  db:\n${sleeper}  app:\n    image: busybox:1.36\n    depends_on: [db]\n    environment:\n      FOO: bar\n    ports: ["127.0.0.1:19070:80"]\n`,
    );
    const r = cli([
      "run",
      "--rm",
      "-e",
      "EXTRA=1",
      "app",
      "sh",
      "-c",
      "echo out $FOO$EXTRA; echo err >&2; ping -c1 -W2 db >/dev/null && echo reached db; exit 3",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("out bar1\nreached db\n");
    expect(r.stderr).toContain("err\n");
    expect(r.stderr).toContain(`Container ${project}-db-1  Started`);
    // --rm removed it; the dependency stays.
    const left = await engine.listContainers({ [label.project]: project }, { all: true });
    expect(left.map((c) => c.names[0])).toEqual([`${project}-db-1`]);
  });

  it("labels the one-off container like the reference, publishes no service port, and feeds stdin", async () => {
    const { project, cli } = stack(
      `services:\n  app:\n    image: busybox:1.36\n    ports: ["127.0.0.1:19071:80"]\n`,
    );
    const detached = cli(["run", "-d", "app", "sleep", "30"]);
    expect(detached.code).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const details = await engine.inspectContainer(id);
    expect(details.name).toMatch(new RegExp(`^${project}-app-run-[0-9a-f]{12}$`));
    expect(details.labels[label.oneoff]).toBe("True");
    expect(details.labels[label.slug]?.slice(0, 12)).toBe(details.name.slice(-12));
    expect(details.ports).toEqual({});
    expect(cli(["run", "--rm", "-T", "app", "cat"], "piped in\n").stdout).toBe("piped in\n");
    expect(cli(["run", "--rm", "--entrypoint", "echo", "app", "via", "entrypoint"]).stdout).toBe(
      "via entrypoint\n",
    );
  });
});

describe("start and scale", () => {
  it("start starts what up --no-start created, in dependency order; scale grows and shrinks", async () => {
    const { project, cli } = stack(`services:\n  db:\n${sleeper}  web:\n${sleeper}    depends_on: [db]\n`);
    // Nothing to start: the reference's two messages (2.26.1), for the project named alone and from its file.
    const none = cli(["start"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no container found for project "${project}": not found`);
    const noneFromFile = cli(["-f", "compose.yaml", "start"]);
    expect(noneFromFile.code).toBe(1);
    expect(noneFromFile.stderr).toContain('service "db" has no container to start');
    expect(cli(["up", "--no-start"]).code).toBe(0);
    const started = cli(["start"]);
    expect(started.code).toBe(0);
    expect(started.stderr.indexOf(`Container ${project}-db-1  Started`)).toBeLessThan(
      started.stderr.indexOf(`Container ${project}-web-1  Starting`),
    );
    const running = await engine.listContainers({ [label.project]: project });
    expect(running.length).toBe(2);

    expect(cli(["scale", "web=3"]).code).toBe(0);
    const three = await engine.listContainers({ [label.project]: project, [label.service]: "web" });
    expect(three.map((c) => c.names[0]).sort()).toEqual([1, 2, 3].map((n) => `${project}-web-${n}`));
    expect(cli(["scale", "web=1"]).code).toBe(0);
    const one = await engine.listContainers(
      { [label.project]: project, [label.service]: "web" },
      { all: true },
    );
    expect(one.map((c) => c.names[0])).toEqual([`${project}-web-1`]);
    expect(cli(["scale", "web"]).stderr).toContain("invalid scale specifier: web");
  });
});

describe("run with a terminal", () => {
  it("is interactive through a real pseudo-terminal: sized like it, resized with it, exit code kept", async () => {
    const { dir, project } = stack(`services:\n  app:\n    image: busybox:1.36\n`);
    const out = path.join(dir, "run.out");
    const tmux = (...args: string[]) => execFileSync("tmux", ["-L", project, ...args], { encoding: "utf8" });
    const cmd = `cd ${dir} && node ${cliPath} -p ${project} --progress quiet run --rm app sh; echo "rc=$?" > ${out}; sleep 30`;
    tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd);
    const screen = () => tmux("capture-pane", "-p", "-t", "t");
    const until = async (text: string) => {
      for (let i = 0; i < 100 && !screen().includes(text); i++) await new Promise((r) => setTimeout(r, 200));
      return screen();
    };
    try {
      await until("#");
      tmux("send-keys", "-t", "t", "stty size; tty", "Enter");
      expect(await until("/dev/pts/")).toContain("30 100");
      tmux("resize-window", "-t", "t", "-x", "80", "-y", "24");
      await new Promise((r) => setTimeout(r, 500));
      tmux("send-keys", "-t", "t", "clear; stty size", "Enter");
      expect(await until("24 80")).toContain("24 80");
      tmux("send-keys", "-t", "t", "exit 4", "Enter");
      for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 200));
      expect(readFileSync(out, "utf8")).toBe("rc=4\n");
    } finally {
      tmux("kill-server");
    }
  });
});
