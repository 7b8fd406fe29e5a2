// Pulls and pushes with a registry login, as after `docker login`: a registry with basic auth
// (Debian's docker-registry with an htpasswd file, on 127.0.0.1), and docker's config.json in a
// DOCKER_CONFIG directory of the test's own.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthRegistry, authRegistrySkipNote, startAuthRegistry } from "../helpers/auth-registry.js";
import { cliPath, referenceBinary } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const address = "127.0.0.1:5055";
const image = `${address}/tcauth/bb:1`;

describe.skipIf(authRegistrySkipNote !== "")(
  `registry logins from docker's config.json${authRegistrySkipNote}`,
  () => {
    const work = mkdtempSync(path.join(tmpdir(), "tct-auth-"));
    const loggedIn = path.join(work, "logged-in");
    const loggedOut = path.join(work, "logged-out");
    let registry: AuthRegistry | undefined;

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
      registry = await startAuthRegistry(work, address, "tc", "pw-tcompose");
      for (const dir of [loggedIn, loggedOut]) mkdirSync(dir);
      const auth = registry.auth;
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
      registry?.stop();
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
        headers: { Authorization: `Basic ${registry?.auth}` },
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
  },
);
