// watch's sync step against a real engine: one busybox project (two replicas of `web` as root, `nobody`
// running as user nobody, `bare` whose `rm` is taken away), host changes synced with syncPaths and read
// back with `docker exec`. Owners as 2.26.1's watch leaves them (observed): a root container keeps the
// host file's uid/gid, a `user:` container gives the files to that user; missing parents are made by the
// engine.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { syncPaths } from "../../src/project/watch/sync.js";
import { connectEngine, Stack } from "../helpers/day2.js";
import { uniqueProjectName } from "../helpers/project.js";

const yaml = `services:
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    deploy:
      replicas: 2
  nobody:
    image: busybox:1.36
    init: true
    user: nobody
    command: sleep 3600
  bare:
    image: busybox:1.36
    init: true
    command: sleep 3600
`;

/** Runs a command in a container: its stdout as bytes, and its exit code. */
function inside(id: string, script: string): { code: number | null; out: Buffer } {
  const r = spawnSync("docker", ["exec", id, "sh", "-c", script]);
  return { code: r.status, out: r.stdout };
}
const text = (id: string, script: string) => inside(id, script).out.toString("utf8");

/** The engine, counting the archive uploads and exec creations that go through it. */
function counting(engine: Engine): { engine: Engine; calls: { put: string[]; exec: string[] } } {
  const calls = { put: [] as string[], exec: [] as string[] };
  const wrapped = new Proxy(engine, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "putArchive") calls.put.push(args[0] as string);
        if (key === "createExec") calls.exec.push(args[0] as string);
        return value.apply(target, args);
      };
    },
  });
  return { engine: wrapped, calls };
}

describe("watch sync", () => {
  let engine: Engine;
  let stack: Stack;
  let host: string;
  const ids: Record<string, string[]> = {};
  beforeAll(async () => {
    engine = await connectEngine();
    host = mkdtempSync(join(tmpdir(), "tcsync-"));
    stack = new Stack(uniqueProjectName("wsync"), yaml);
    const up = stack.tc("up", "-d");
    if (up.code !== 0) throw new Error(`up failed: ${up.stderr}`);
    for (const c of await engine.listContainers({ "com.docker.compose.project": stack.name })) {
      const service = c.labels["com.docker.compose.service"] as string;
      ids[service] = [...(ids[service] ?? []), c.id].sort();
    }
  });
  afterAll(async () => {
    await stack?.remove(engine);
    if (host) rmSync(host, { recursive: true, force: true });
  });

  it("copies a new directory to every replica in one upload each: nested files, a link, modes, bytes; ignored files stay out", async () => {
    const app = join(host, "app");
    mkdirSync(join(app, "sub/deep"), { recursive: true });
    mkdirSync(join(app, "node_modules/pkg"), { recursive: true });
    const blob = randomBytes(200_000);
    writeFileSync(join(app, "a.txt"), "hello\n");
    writeFileSync(join(app, "blob.bin"), blob);
    writeFileSync(join(app, "run.sh"), "#!/bin/sh\necho ran\n");
    chmodSync(join(app, "run.sh"), 0o755);
    writeFileSync(join(app, "sub/deep/f.txt"), "deep\n");
    writeFileSync(join(app, "node_modules/pkg/x.js"), "x\n");
    writeFileSync(join(app, "skip.tmp"), "tmp\n");
    symlinkSync("a.txt", join(app, "link"));
    const { engine: counted, calls } = counting(engine);
    const ignored = (path: string, isDirectory: boolean) =>
      (isDirectory && basename(path) === "node_modules") || path.endsWith(".tmp");
    const result = await syncPaths(counted, ids.web ?? [], [{ hostPath: app, containerPath: "/srv/app" }], {
      ignored,
    });
    // app, a.txt, blob.bin, link, run.sh, sub, sub/deep, sub/deep/f.txt
    expect(result).toEqual({ copied: 8, deleted: 0 });
    expect(calls.put.sort()).toEqual(ids.web);
    expect(calls.exec).toEqual([]);
    for (const id of ids.web ?? []) {
      const script = [
        "cd /srv/app && cat a.txt sub/deep/f.txt && readlink link && stat -c %a run.sh a.txt && ./run.sh",
        "test -e node_modules || test -e skip.tmp; echo $?",
      ].join("; ");
      expect(text(id, script)).toBe("hello\ndeep\na.txt\n755\n644\nran\n1\n");
      expect(inside(id, "cat /srv/app/blob.bin").out.equals(blob)).toBe(true);
    }
  });

  it("modifies, deletes a file and a directory: one rm exec and one upload per container", async () => {
    const app = join(host, "app");
    writeFileSync(join(app, "a.txt"), "hi\n");
    rmSync(join(app, "blob.bin"));
    rmSync(join(app, "sub"), { recursive: true });
    const { engine: counted, calls } = counting(engine);
    const result = await syncPaths(counted, ids.web ?? [], [
      { hostPath: join(app, "a.txt"), containerPath: "/srv/app/a.txt" },
      { hostPath: join(app, "blob.bin"), containerPath: "/srv/app/blob.bin" },
      { hostPath: join(app, "sub"), containerPath: "/srv/app/sub" },
      { hostPath: join(app, "sub/deep/f.txt"), containerPath: "/srv/app/sub/deep/f.txt" },
    ]);
    // sub/deep/f.txt goes with sub: `rm -rf /srv/app/blob.bin /srv/app/sub`
    expect(result).toEqual({ copied: 1, deleted: 2 });
    expect(calls.put.sort()).toEqual(ids.web);
    expect(calls.exec.sort()).toEqual(ids.web);
    for (const id of ids.web ?? []) {
      expect(text(id, "cat /srv/app/a.txt; ls /srv/app")).toBe("hi\na.txt\nlink\nrun.sh\n");
    }
  });

  it("keeps the host owner in a root container and gives the files to the user of a `user:` one; creates missing parents", async () => {
    const file = join(host, "owned.txt");
    writeFileSync(file, "mine\n");
    chownSync(file, 1500, 1600);
    const web = ids.web?.[0] as string;
    const nobody = ids.nobody?.[0] as string;
    await syncPaths(engine, [web, nobody], [{ hostPath: file, containerPath: "/srv/new/n1/owned.txt" }]);
    expect(text(web, "stat -c %u:%g /srv/new/n1/owned.txt; cat /srv/new/n1/owned.txt")).toBe(
      "1500:1600\nmine\n",
    );
    expect(text(nobody, "stat -c %u:%g /srv/new/n1/owned.txt /srv/new/n1")).toBe("65534:65534\n0:0\n");
  });

  it("fails naming each container whose delete failed, after the others are done", async () => {
    const bare = ids.bare?.[0] as string;
    const nobody = ids.nobody?.[0] as string;
    const web = ids.web?.[0] as string;
    expect(inside(bare, "rm /bin/rm").code).toBe(0);
    const gone = join(host, "gone.txt");
    // nobody may not delete in the root-owned /srv/new/n1 (as with the reference); bare has no rm.
    const sync = syncPaths(
      engine,
      [web, bare, nobody],
      [{ hostPath: gone, containerPath: "/srv/new/n1/owned.txt" }],
    );
    const error = await sync.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`deleting paths in ${bare}: exit code \\d+: .*rm`));
    expect(error?.message).toMatch(
      new RegExp(`deleting paths in ${nobody}: exit code 1: rm: .*Permission denied`),
    );
    expect(error?.message).not.toContain(web);
    expect(inside(web, "test -e /srv/new/n1/owned.txt").code).toBe(1);
  });
});
