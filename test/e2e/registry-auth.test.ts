// Pulls and pushes with a registry login, as after `docker login`: a registry with basic auth
// (Debian's docker-registry with an htpasswd file, on 127.0.0.1), and docker's config.json in a
// DOCKER_CONFIG directory of the test's own.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, referenceBinary } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const registryBinary = "/usr/bin/docker-registry";
const address = "127.0.0.1:5055";
const image = `${address}/tcauth/bb:1`;
const user = "tc";
const password = "pw-tcompose";

/** An htpasswd line (bcrypt, the only format the registry reads), through the C library's crypt. */
function htpasswdLine(): string | undefined {
  const r = spawnSync(
    "python3",
    [
      "-W",
      "ignore",
      "-c",
      `import crypt; print("${user}:" + crypt.crypt("${password}", crypt.mksalt(crypt.METHOD_BLOWFISH)))`,
    ],
    { encoding: "utf8" },
  );
  return r.status === 0 && r.stdout.includes("$2") ? r.stdout.trim() : undefined;
}

const line = existsSync(registryBinary) ? htpasswdLine() : undefined;
const skipNote = line ? "" : " [SKIPPED: needs Debian's docker-registry and python3 with bcrypt crypt]";

describe.skipIf(!line)(`registry logins from docker's config.json${skipNote}`, () => {
  const work = mkdtempSync(path.join(tmpdir(), "tct-auth-"));
  const loggedIn = path.join(work, "logged-in");
  const loggedOut = path.join(work, "logged-out");
  let registry: ChildProcess | undefined;

  const run = (command: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(command, args, { cwd: work, encoding: "utf8", env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const tcompose = (config: string, args: string[]) =>
    run(process.execPath, [cliPath, "-p", project, "--progress", "plain", ...args], {
      DOCKER_CONFIG: config,
    });
  const project = uniqueProjectName("auth");

  beforeAll(async () => {
    writeFileSync(path.join(work, "htpasswd"), `${line}\n`);
    writeFileSync(
      path.join(work, "registry.yml"),
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${path.join(work, "data")}`,
        "http:",
        `  addr: ${address}`,
        "auth:",
        "  htpasswd:",
        "    realm: tcompose-test",
        `    path: ${path.join(work, "htpasswd")}`,
        "",
      ].join("\n"),
    );
    registry = spawn(registryBinary, ["serve", path.join(work, "registry.yml")], { stdio: "ignore" });
    let status = 0;
    for (let i = 0; i < 100 && status !== 401; i++) {
      status = await fetch(`http://${address}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status, "the registry asks for a login").toBe(401);
    for (const dir of [loggedIn, loggedOut]) mkdirSync(dir);
    const auth = Buffer.from(`${user}:${password}`).toString("base64");
    writeFileSync(path.join(loggedIn, "config.json"), JSON.stringify({ auths: { [address]: { auth } } }));
    writeFileSync(path.join(loggedOut, "config.json"), "{}");
    // A build section, because push (like the reference's) pushes only the services that are built.
    writeFileSync(
      path.join(work, "compose.yaml"),
      `services:\n  app:\n    image: ${image}\n    build:\n      dockerfile_inline: "FROM busybox:1.36\\n"\n`,
    );
    expect(run("docker", ["tag", "busybox:1.36", image]).code).toBe(0);
  });

  afterAll(() => {
    registry?.kill();
    run("docker", ["rmi", "-f", image]);
    rmSync(work, { recursive: true, force: true });
  });

  it("pushes with the login, and fails without it", async () => {
    const denied = tcompose(loggedOut, ["push"]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("no basic auth credentials");

    const pushed = tcompose(loggedIn, ["push"]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const tags = await fetch(`http://${address}/v2/tcauth/bb/tags/list`, {
      headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
    }).then((r) => r.json() as Promise<{ tags?: string[] }>);
    expect(tags.tags).toEqual(["1"]);
  });

  it("pulls with the login (exit 18 without it), as the reference does", () => {
    expect(run("docker", ["rmi", image]).code).toBe(0);
    const denied = tcompose(loggedOut, ["pull"]);
    expect(denied.code).toBe(18);

    const pulled = tcompose(loggedIn, ["pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(run("docker", ["image", "inspect", image]).code).toBe(0);

    if (referenceBinary) {
      expect(run("docker", ["rmi", image]).code).toBe(0);
      const theirs = run(referenceBinary, ["-p", project, "pull"], { DOCKER_CONFIG: loggedIn });
      expect(theirs.code, theirs.stderr).toBe(0);
    }
  });

  // The classic builder takes every login at once (X-Registry-Config); BuildKit asks the session for the
  // registry's (moby.filesync.v1.Auth/Credentials).
  it.each([
    ["the classic builder (X-Registry-Config)", "0", "no basic auth credentials"],
    ["BuildKit (the session's Auth/Credentials)", "1", "401 Unauthorized"],
  ])("builds FROM an image behind the login with %s, and fails without it", (_, buildkit, refusal) => {
    run("docker", ["rmi", "-f", image]);
    const dir = path.join(work, `from-private-${buildkit}`);
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "compose.yaml"),
      `services:\n  derived:\n    image: tcauth-derived:1\n    build:\n      dockerfile_inline: "FROM ${image}\\nLABEL tcauth=1\\n"\n`,
    );
    const build = (config: string) =>
      run(
        process.execPath,
        [cliPath, "-p", project, "--project-directory", dir, "-f", path.join(dir, "compose.yaml"), "build"],
        { DOCKER_CONFIG: config, DOCKER_BUILDKIT: buildkit },
      );
    const denied = build(loggedOut);
    expect(denied.code).not.toBe(0);
    expect(denied.stdout + denied.stderr).toContain(refusal);
    const built = build(loggedIn);
    expect(built.code, built.stderr).toBe(0);
    expect(
      run("docker", [
        "image",
        "inspect",
        "-f",
        '{{index .Config.Labels "tcauth"}}',
        "tcauth-derived:1",
      ]).stdout.trim(),
    ).toBe("1");
    run("docker", ["rmi", "-f", "tcauth-derived:1"]);
  });
});
