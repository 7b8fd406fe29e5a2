// `watch` and `up --watch` on the real engine: after every batch of host changes (edits, new nested
// directories, deletes, renames, editors' temp-file-then-rename and truncate-then-write, a `git checkout` of
// hundreds of files) the container's synced tree equals the host's, byte for byte; ignored files never
// arrive; `initial_sync` brings a container up to date with changes made while nothing watched;
// `sync+restart` restarts, `sync+exec` runs its command, `rebuild` makes a new image and container and keeps
// the named volume; Ctrl-C ends `watch` (the containers run on) and `up --watch` (they stop).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";
import { waitFor } from "../helpers/wait.js";

const compose = `services:
  app:
    build: .
    init: true
    volumes:
      - keep:/keep
    develop:
      watch:
        - path: ./src
          target: /app
          action: sync
          initial_sync: true
          ignore:
            - ignored/
        - path: ./conf
          target: /conf
          action: sync+restart
        - path: ./hooks
          target: /hooks
          action: sync+exec
          exec:
            command: ["sh", "-c", "cat /hooks/* > /tmp/exec-out"]
        - path: ./Dockerfile
          action: rebuild
volumes:
  keep:
`;

const dockerfile = (env: string) => `FROM busybox:1.36
COPY src /app
ENV VERSION=${env}
CMD ["sleep", "3600"]
`;

let engine: Engine;
const dir = mkdtempSync(path.join(tmpdir(), "tct-watch-"));
const src = path.join(dir, "src");
const project = uniqueProjectName("watch");

function cli(args: string[], cwd = dir) {
  return spawnSync(process.execPath, [cliPath, "-p", project, ...args], { cwd, encoding: "utf8" });
}

function background(args: string[], name: string, cwd = dir) {
  const child: ChildProcess = spawn(process.execPath, [cliPath, "-p", name, ...args], { cwd });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

function md5(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

/** The host's tree under `root` as "d path" / "f path md5" lines, what the rules ignore left out. */
function hostTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === ".git" || entry.name === "ignored" || entry.name.endsWith(".tmp")) continue;
      if (entry.isDirectory()) {
        out.push(`d ${child}`);
        walk(child);
      } else out.push(`f ${child} ${md5(readFileSync(path.join(root, child)))}`);
    }
  };
  walk("");
  return out.sort();
}

async function container(service = "app"): Promise<string> {
  const [c] = await engine.listContainers({ [label.project]: project, [label.service]: service });
  return c?.id ?? "";
}

function inContainer(id: string, script: string): string {
  const r = spawnSync("docker", ["exec", id, "sh", "-c", script], { encoding: "utf8" });
  return r.stdout;
}

/** The container's tree under `root`, in hostTree's form. */
function containerTree(id: string, root: string): string[] {
  const text = inContainer(
    id,
    `cd ${root} && find . -mindepth 1 -type d | sed 's|^\\./|d |'; find . -type f -exec md5sum {} + | awk '{sub("^\\\\./","",$2); print "f " $2 " " $1}'`,
  );
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.trim())
    .sort();
}

async function synced(): Promise<void> {
  const id = await container();
  let last: string[] = [];
  await waitFor("the container's /app to equal the host's src", () => {
    last = containerTree(id, "/app");
    return JSON.stringify(last) === JSON.stringify(hostTree(src));
  }).catch((error) => {
    throw new Error(
      `${(error as Error).message}\nhost: ${hostTree(src).join(", ")}\ncontainer: ${last.join(", ")}`,
    );
  });
}

function git(args: string[]) {
  const r = spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], {
    cwd: src,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

beforeAll(async () => {
  engine = await connectEngine();
  mkdirSync(path.join(src, "lib"), { recursive: true });
  mkdirSync(path.join(dir, "conf"));
  mkdirSync(path.join(dir, "hooks"));
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  writeFileSync(path.join(dir, "Dockerfile"), dockerfile("1"));
  // The build context's .dockerignore applies to the watch too (scratch.tmp); a rebuilt image holds the same.
  writeFileSync(path.join(dir, ".dockerignore"), "src/.git\nsrc/ignored\nsrc/*.tmp\n");
  writeFileSync(path.join(src, "a.txt"), "a\n");
  writeFileSync(path.join(src, "lib", "b.txt"), "b\n");
  writeFileSync(path.join(src, "old.txt"), "old\n");
  const up = cli(["up", "-d", "--build"]);
  expect(up.status, up.stderr).toBe(0);
});

afterAll(async () => {
  await removeProject(engine, project);
  spawnSync("docker", ["image", "rm", "-f", `${project}-app`]);
  rmSync(dir, { recursive: true, force: true });
});

describe("watch", () => {
  let watch: ReturnType<typeof background>;

  it("syncs what changed while nothing watched when initial_sync is set", async () => {
    writeFileSync(path.join(src, "a.txt"), "a, changed before watching\n");
    writeFileSync(path.join(src, "lib", "new.txt"), "new\n");
    watch = background(["watch", "--no-up"], project);
    await waitFor("Watch enabled", () => watch.out().includes("Watch enabled\n"));
    // old.txt is still in the host tree: the initial sync copies, it does not delete.
    await synced();
  });

  it("keeps the container's files equal to the host's through edits, new directories, deletes and renames", async () => {
    writeFileSync(path.join(src, "a.txt"), "edited\n");
    mkdirSync(path.join(src, "x", "y", "z"), { recursive: true });
    writeFileSync(path.join(src, "x", "y", "z", "deep.txt"), "deep\n");
    writeFileSync(path.join(src, "x", "top.txt"), "top\n");
    writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    await synced();
    expect(inContainer(await container(), "stat -c %a /app/run.sh").trim()).toBe("755");
    rmSync(path.join(src, "old.txt"));
    renameSync(path.join(src, "lib", "b.txt"), path.join(src, "lib", "renamed.txt"));
    rmSync(path.join(src, "x", "y"), { recursive: true });
    await synced();
    // An editor's save: a temporary file renamed over the original; then truncate-and-write.
    writeFileSync(path.join(src, ".a.txt.swp"), "swap");
    writeFileSync(path.join(src, "a.txt.new"), "saved by an editor\n");
    renameSync(path.join(src, "a.txt.new"), path.join(src, "a.txt"));
    rmSync(path.join(src, ".a.txt.swp"));
    truncateSync(path.join(src, "lib", "renamed.txt"), 0);
    writeFileSync(path.join(src, "lib", "renamed.txt"), "rewritten\n", { flag: "a" });
    await synced();
    await waitFor("the sync line", () => /Syncing "app" after changes were detected\n/.test(watch.out()));
  });

  it("never sends ignored files", async () => {
    mkdirSync(path.join(src, "ignored"));
    writeFileSync(path.join(src, "ignored", "secret.txt"), "no\n");
    writeFileSync(path.join(src, "scratch.tmp"), "no\n");
    writeFileSync(path.join(src, "after.txt"), "after the ignored ones\n");
    await synced();
    const id = await container();
    expect(inContainer(id, "ls -a /app")).not.toMatch(/ignored|scratch\.tmp|\.swp/);
  });

  it("ends consistent after a git checkout of hundreds of files", async () => {
    git(["init", "-q", "-b", "one"]);
    for (let i = 0; i < 150; i++) {
      mkdirSync(path.join(src, "gen", `d${i % 10}`), { recursive: true });
      writeFileSync(path.join(src, "gen", `d${i % 10}`, `f${i}.txt`), `one ${i}\n`);
    }
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "one"]);
    git(["checkout", "-q", "-b", "two"]);
    rmSync(path.join(src, "gen"), { recursive: true });
    for (let i = 0; i < 200; i++) {
      mkdirSync(path.join(src, "gen2", `e${i % 20}`), { recursive: true });
      writeFileSync(path.join(src, "gen2", `e${i % 20}`, `g${i}.txt`), `two ${i}\n`);
    }
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "two"]);
    await synced();
    git(["checkout", "-q", "one"]);
    await synced();
    git(["checkout", "-q", "two"]);
    await synced();
    await waitFor("the line of a large sync", () =>
      /Syncing service "app" after \d+ changes were detected\n/.test(watch.out()),
    );
  });

  it("restarts after a sync+restart sync", async () => {
    const id = await container();
    const started = () =>
      spawnSync("docker", ["inspect", "-f", "{{.State.StartedAt}}", id], { encoding: "utf8" }).stdout.trim();
    const before = started();
    writeFileSync(path.join(dir, "conf", "app.ini"), "[app]\nx=1\n");
    await waitFor("the restart", () => watch.out().includes('service(s) ["app"] restarted\n'));
    expect(started()).not.toBe(before);
    expect(inContainer(id, "cat /conf/app.ini")).toBe("[app]\nx=1\n");
  });

  it("runs a sync+exec rule's command after its sync", async () => {
    const id = await container();
    writeFileSync(path.join(dir, "hooks", "h.txt"), "hook ran\n");
    await waitFor(
      "the exec's output",
      () => inContainer(id, "cat /tmp/exec-out 2>/dev/null") === "hook ran\n",
    );
  });

  it("rebuilds: a new image and container, the named volume kept", async () => {
    const before = await container();
    inContainer(before, "echo kept > /keep/data");
    const imageBefore = spawnSync("docker", ["inspect", "-f", "{{.Image}}", before], {
      encoding: "utf8",
    }).stdout;
    writeFileSync(path.join(dir, "Dockerfile"), dockerfile("2"));
    await waitFor("the new container", async () => {
      const id = await container();
      return id !== "" && id !== before;
    });
    const after = await container();
    expect(spawnSync("docker", ["inspect", "-f", "{{.Image}}", after], { encoding: "utf8" }).stdout).not.toBe(
      imageBefore,
    );
    expect(inContainer(after, "echo $VERSION; cat /keep/data")).toBe("2\nkept\n");
    await waitFor("the rebuild's lines", () => watch.out().includes('service "app" successfully built'));
    // The build's BuildKit steps follow on stdout, as the reference prints them (not with --quiet).
    const rebuild = watch.out().split('Rebuilding service "app" after changes were detected...\n')[1] ?? "";
    expect(rebuild).toMatch(/^#\d+ \[app \d\/\d\] COPY src \/app$/m);
    expect(rebuild).toMatch(/^#\d+ \[app\] exporting to image$/m);
    expect(rebuild.indexOf("exporting to image")).toBeLessThan(
      rebuild.indexOf('service "app" successfully built'),
    );
    // The new container is synced too.
    writeFileSync(path.join(src, "after-rebuild.txt"), "synced into the new container\n");
    await synced();
  });

  it("ends on Ctrl-C with the reference's canceled / 130; the containers run on", async () => {
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(130);
    expect(watch.err()).toContain("canceled");
    expect(await container()).not.toBe("");
  });
});

describe("watch --dry-run", () => {
  it("prints up's plan, then says what it would sync, restart and rebuild, and changes nothing", async () => {
    const id = await container();
    const started = () =>
      spawnSync("docker", ["inspect", "-f", "{{.State.StartedAt}} {{.Image}}", id], {
        encoding: "utf8",
      }).stdout.trim();
    const before = started();
    const images = () =>
      spawnSync("docker", ["image", "inspect", "-f", "{{.Id}}", `${project}-app`], { encoding: "utf8" })
        .stdout;
    const imagesBefore = images();
    const dry = background(["--dry-run", "watch"], project);
    try {
      await waitFor("Watch enabled", () => dry.out().includes("Watch enabled\n"));
      expect(dry.err()).toMatch(/DRY-RUN MODE - /);
      writeFileSync(path.join(src, "dry.txt"), "not synced\n");
      await waitFor("the sync line", () => dry.out().includes('Syncing "app" after changes were detected\n'));
      writeFileSync(path.join(dir, "conf", "app.ini"), "[app]\nx=dry\n");
      await waitFor("the restart line", () => dry.out().includes('service(s) ["app"] restarted\n'));
      writeFileSync(path.join(dir, "hooks", "h.txt"), "dry hook\n");
      writeFileSync(path.join(dir, "Dockerfile"), dockerfile("dry"));
      await waitFor("the rebuild lines", () =>
        dry
          .out()
          .includes(
            'Rebuilding service "app" after changes were detected...\nservice "app" successfully built\n',
          ),
      );
      dry.child.kill("SIGINT");
      expect(await dry.exited).toBe(130);
    } finally {
      dry.child.kill("SIGKILL");
    }
    // The same container, neither restarted nor rebuilt; nothing copied into it, no command run there.
    expect(await container()).toBe(id);
    expect(started()).toBe(before);
    expect(images()).toBe(imagesBefore);
    expect(inContainer(id, "cat /app/dry.txt /conf/app.ini /tmp/exec-out 2>&1")).not.toMatch(
      /not synced|x=dry|dry hook/,
    );
  });
});

describe("watch: bad input", () => {
  it("names a rule that cannot work and watches the others; no rule at all is the reference's error", () => {
    const bad = mkdtempSync(path.join(tmpdir(), "tct-watch-bad-"));
    try {
      writeFileSync(
        path.join(bad, "compose.yaml"),
        `services:
  app:
    image: busybox:1.36
    develop:
      watch:
        - path: ./src
          target: relative/dir
          action: sync
        - path: ./Dockerfile
          action: rebuild
  plain:
    image: busybox:1.36
`,
      );
      const r = spawnSync(process.execPath, [cliPath, "-p", uniqueProjectName("watchbad"), "watch"], {
        cwd: bad,
        encoding: "utf8",
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        'service "app" develop.watch[0] (sync): target "relative/dir" must be an absolute path in the container',
      );
      expect(r.stderr).toContain(
        'service "app" develop.watch[1] (rebuild): can\'t watch with action rebuild without a build section',
      );
      expect(r.stderr).toContain(
        "none of the selected services is configured for watch, consider setting an 'develop' section",
      );
      expect(r.stderr).not.toMatch(/at .*\.c?js:\d+/);
      // Nothing was made.
      expect(r.stdout).not.toContain("Created");
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe("up --watch", () => {
  it("syncs while attached, its lines among the logs; Ctrl-C stops the watch and the containers", async () => {
    const upDir = mkdtempSync(path.join(tmpdir(), "tct-upwatch-"));
    const name = uniqueProjectName("upwatch");
    try {
      mkdirSync(path.join(upDir, "src"));
      writeFileSync(
        path.join(upDir, "compose.yaml"),
        `services:
  web:
    image: busybox:1.36
    init: true
    command: ["sh", "-c", "echo serving; sleep 3600"]
    develop:
      watch:
        - path: ./src
          target: /srv
          action: sync
`,
      );
      const up = background(["up", "--watch"], name, upDir);
      await waitFor("Watch enabled", () => /⦿ Watch enabled\n/.test(up.out()));
      writeFileSync(path.join(upDir, "src", "index.html"), "<p>hi</p>\n");
      const [c] = await engine.listContainers({ [label.project]: name });
      await waitFor(
        "the synced file",
        () => inContainer(c?.id ?? "", "cat /srv/index.html 2>/dev/null") === "<p>hi</p>\n",
      );
      // Output read by this process's event loop (the container checks above block it): waited for.
      await waitFor("the sync line among the logs", () =>
        /⦿ Syncing "web" after changes were detected\n/.test(up.out()),
      );
      expect(up.out()).toMatch(/web-1 {2}\| serving\n/);
      up.child.kill("SIGINT");
      expect(await up.exited).toBe(130);
      expect(await engine.listContainers({ [label.project]: name })).toEqual([]);
    } finally {
      await removeProject(engine, name);
      rmSync(upDir, { recursive: true, force: true });
    }
  });

  it("refuses --no-build and --detach with --watch", () => {
    expect(cli(["up", "--watch", "--no-build"]).stderr).toContain("--no-build and --watch are incompatible");
    expect(cli(["up", "--watch", "-d"]).status).not.toBe(0);
  });
});
