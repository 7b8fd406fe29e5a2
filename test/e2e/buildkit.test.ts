// BuildKit builds (issue 15), each case run by the reference Docker Compose building through BuildKit
// (buildx among its CLI plugins) and by tcompose on the same context, then compared on what matters: the
// image's files, its config (Env, Cmd, Entrypoint, WorkingDir, Labels with compose's own, ExposedPorts,
// User, platform) and the exit codes. Cases: RUN --mount cache (shared with the next build and between
// the two tools), bind (context and another stage), secret (file, environment, renamed), ssh (an
// ssh-agent and a named key file); bad input (a missing secret file, no agent); FROM
// --platform=$BUILDPLATFORM; target; a failing step; named contexts (additional_contexts, which this
// engine's frontend cannot do); a private FROM image behind an htpasswd registry; the --progress plain
// shape; DOCKER_BUILDKIT=0; parallel builds.
//
// Engine 20.10 here: its built-in Dockerfile frontend knows RUN --mount and the platform args, not
// heredocs, COPY --link or named contexts; `# syntax=` images cannot be pulled offline.
// Note: the reference (2.26.1) builds with BuildKit whether or not buildx is among its plugins (it has
// buildx built in); only DOCKER_BUILDKIT=0 gives the classic builder.
// TCT_BK_SELF_CHECK=1 runs the reference in tcompose's place, to check the expectations on it alone: all
// pass but the two additional_contexts cases, where the reference's message does not name the service
// on one line with the contexts (the clarity asked of tcompose there).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AuthRegistry, authRegistrySkipNote, startAuthRegistry } from "../helpers/auth-registry.js";
import {
  compose,
  docker,
  dockerConfig,
  imageConfig,
  inImage,
  plainVertices,
  type Run,
  removeProjectImages,
  type Tool,
  tempDir,
  type Vertex,
  writeTree,
} from "../helpers/buildkit.js";
import {
  referenceBinary,
  referenceBuildkitConfig,
  referenceBuildkitSkipNote,
  repoRoot,
} from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const haveReference = Boolean(referenceBinary && referenceBuildkitConfig);
const work = tempDir("tct-bk-", tmpdir());
const projects: string[] = [];
/** Images a case tagged itself, removed at the end. */
const tagged: string[] = [];
const hex = () => randomBytes(4).toString("hex");

afterAll(async () => {
  await removeProjectImages(...projects);
  if (tagged.length) await docker("rmi", "-f", ...tagged);
  rmSync(work, { recursive: true, force: true });
});

/**
 * One case: a context directory with `files`, a project per tool (`<name>-r` for the reference, `<name>-t`
 * for tcompose), a DOCKER_CONFIG per tool (the reference's with buildx among its plugins) and `build`,
 * which runs `<tool> build <args>` there. Each build gets `--build-arg NONCE=<the tool's own>`: a stage
 * that declares `ARG NONCE` runs its steps for each tool instead of taking the other tool's from the
 * engine's cache (build args are in a RUN's environment, so in its cache key).
 */
function setup(label: string, files: Record<string, string>, auths?: Record<string, { auth: string }>) {
  const dir = writeTree(tempDir(`${label}-`, work), files);
  const name = uniqueProjectName(`bk-${label}`);
  const project = { reference: `${name}-r`, tcompose: `${name}-t` } as const;
  projects.push(project.reference, project.tcompose);
  const config = {
    reference: dockerConfig(dir, ".docker-r", { buildx: true, ...(auths ? { auths } : {}) }),
    tcompose: dockerConfig(dir, ".docker-t", auths ? { auths } : {}),
  };
  const nonce = { reference: `r-${hex()}`, tcompose: `t-${hex()}` } as const;
  const run = (tool: Tool, args: string[], env: Record<string, string> = {}) =>
    compose(tool, dir, project[tool], config[tool], args, env);
  return {
    dir,
    project,
    image: (tool: Tool, service: string) => `${project[tool]}-${service}`,
    build: (tool: Tool, args: string[] = [], env: Record<string, string> = {}) =>
      run(tool, ["build", "--build-arg", `NONCE=${nonce[tool]}`, ...args], env),
  };
}
// The contexts' DOCKER_CONFIG directories stay out of the images.
const ignoreConfigs = ".docker-r\n.docker-t\n";

const ok = (r: Run) => [r.code, r.stdout + r.stderr] as const;
/** The output of `script` run in the image, which must succeed. */
async function read(image: string, script: string): Promise<string> {
  const r = await inImage(image, script);
  expect(r.code, `${script} in ${image}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
/** No Node stack trace in the output. */
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$|node:internal/m);

describe.skipIf(!haveReference)(
  `BuildKit builds compared with the reference using buildx${referenceBuildkitSkipNote}`,
  () => {
    it("RUN --mount=type=cache: the next build sees what the last one left, in either tool", async () => {
      const id = `tct-bk-cache-${hex()}`;
      const c = setup("cache", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM busybox:1.36
ARG BUST
RUN --mount=type=cache,target=/cache,id=${id} sh -c 'echo "$BUST" >> /cache/log; cp /cache/log /log'
`,
        "compose.yaml":
          'services:\n  web:\n    build:\n      context: .\n      args:\n        BUST: "${BUST}"\n',
      });
      // A new BUST each build reruns the step; the cache mount (the engine's, shared by id) keeps growing.
      const logs: Record<Tool, string[]> = { reference: [], tcompose: [] };
      for (const [tool, busts] of [
        ["reference", ["r1", "r2"]],
        ["tcompose", ["t1", "t2"]],
      ] as const) {
        for (const bust of busts) {
          const r = await c.build(tool, [], { BUST: bust });
          expect(...ok(r)).toBe(0);
          logs[tool].push(await read(c.image(tool, "web"), "cat /log"));
        }
      }
      expect(logs.reference).toEqual(["r1\n", "r1\nr2\n"]);
      expect(logs.tcompose).toEqual(["r1\nr2\nt1\n", "r1\nr2\nt1\nt2\n"]);
      // The cache is not in the image (its mount point is, empty); the images agree on everything else.
      const listing = "ls -a /cache 2>&1; echo ---; ls -a /";
      const theirs = await read(c.image("reference", "web"), listing);
      expect(theirs).toMatch(/^\.\n\.\.\n---\n/);
      expect(await read(c.image("tcompose", "web"), listing)).toBe(theirs);
      expect(await imageConfig(c.image("tcompose", "web"))).toEqual(
        await imageConfig(c.image("reference", "web")),
      );
    });

    it("RUN --mount=type=bind from the context (less .dockerignore) and from another stage", async () => {
      const c = setup("bind", {
        ".dockerignore": `${ignoreConfigs}ignored.txt\n`,
        "ignored.txt": "ignored\n",
        "data/a.txt": "from-context\n",
        Dockerfile: `FROM busybox:1.36 AS src
ARG NONCE
RUN mkdir /out && echo from-stage > /out/stage.txt
FROM busybox:1.36
ARG NONCE
RUN --mount=type=bind,target=/ctx --mount=type=bind,from=src,source=/out,target=/st \\
  sh -c 'cat /ctx/data/a.txt /st/stage.txt > /result; ls -a /ctx > /ctx-list; ls -a /st > /st-list'
`,
        "compose.yaml": "services:\n  web:\n    build: .\n",
      });
      const script = "cat /result /ctx-list /st-list; echo ---; ls -a / /ctx /st 2>&1";
      const seen: Record<Tool, string> = { reference: "", tcompose: "" };
      for (const tool of ["reference", "tcompose"] as const) {
        expect(...ok(await c.build(tool))).toBe(0);
        seen[tool] = await read(c.image(tool, "web"), script);
      }
      expect(seen.reference).toContain(
        "from-context\nfrom-stage\n.\n..\n.dockerignore\nDockerfile\ncompose.yaml\ndata\n.\n..\nstage.txt\n---\n",
      );
      expect(seen.tcompose).toBe(seen.reference);
      expect(await imageConfig(c.image("tcompose", "web"))).toEqual(
        await imageConfig(c.image("reference", "web")),
      );
    });

    it("RUN --mount=type=secret from build.secrets: a file, an environment variable, a renamed one", async () => {
      const c = setup("secret", {
        ".dockerignore": `${ignoreConfigs}s.txt\n`,
        "s.txt": "from-file\n",
        Dockerfile: `FROM busybox:1.36
ARG NONCE
RUN --mount=type=secret,id=fsec --mount=type=secret,id=esec --mount=type=secret,id=renamed \\
  sh -c 'cat /run/secrets/fsec > /f; cat /run/secrets/esec > /e; cat /run/secrets/renamed > /r; ls /run/secrets > /ls'
`,
        "compose.yaml": `services:
  web:
    build:
      context: .
      secrets:
        - fsec
        - esec
        - source: fsec
          target: renamed
secrets:
  fsec:
    file: ./s.txt
  esec:
    environment: TCT_BK_SECRET
`,
      });
      const script = "cat /f; echo '|'; cat /e; echo '|'; cat /r /ls; echo ---; ls -a /run /run/secrets 2>&1";
      const seen: Record<Tool, string> = { reference: "", tcompose: "" };
      for (const tool of ["reference", "tcompose"] as const) {
        expect(...ok(await c.build(tool, [], { TCT_BK_SECRET: "from-env" }))).toBe(0);
        seen[tool] = await read(c.image(tool, "web"), script);
      }
      expect(seen.reference).toMatch(/^from-file\n\|\nfrom-env\|\nfrom-file\nesec\nfsec\nrenamed\n---\n/);
      expect(seen.tcompose).toBe(seen.reference);
      expect(await imageConfig(c.image("tcompose", "web"))).toEqual(
        await imageConfig(c.image("reference", "web")),
      );
    });

    it("RUN --mount=type=ssh: the default agent (SSH_AUTH_SOCK) and a named key file", async () => {
      const c = setup("ssh", {
        ".dockerignore": `${ignoreConfigs}agent.sock\nid_*\n`,
        Dockerfile: `FROM python:3.11-slim-bookworm
ARG NONCE
COPY agent.py /agent.py
RUN --mount=type=ssh python3 /agent.py > /agent
RUN --mount=type=ssh,id=deploy python3 /agent.py > /deploy
`,
        "compose.yaml": `services:
  web:
    build:
      context: .
      ssh:
        - default
        - deploy=./id_deploy
`,
      });
      copyFileSync(path.join(repoRoot, "test/fixtures/buildkit-e2e/agent.py"), path.join(c.dir, "agent.py"));
      const comment = `tct-bk-${hex()}`;
      /** Makes an ed25519 key pair in the context and returns its fingerprint (SHA256:…). */
      const keyPair = (file: string, note: string) => {
        const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", note, "-f", file], {
          cwd: c.dir,
          encoding: "utf8",
        });
        expect(made.status, made.stderr).toBe(0);
        const listed = spawnSync("ssh-keygen", ["-lf", `${file}.pub`], { cwd: c.dir, encoding: "utf8" });
        return listed.stdout.split(" ")[1] ?? "";
      };
      const agentKey = keyPair("id_agent", comment);
      const deployKey = keyPair("id_deploy", "deploy");
      expect(agentKey).toMatch(/^SHA256:/);
      const socket = path.join(c.dir, "agent.sock");
      const agent: ChildProcess = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
      try {
        for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
        const added = spawnSync("ssh-add", ["id_agent"], {
          cwd: c.dir,
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          encoding: "utf8",
        });
        expect(added.status, added.stderr).toBe(0);
        const seen: Record<Tool, string> = { reference: "", tcompose: "" };
        for (const tool of ["reference", "tcompose"] as const) {
          expect(...ok(await c.build(tool, [], { SSH_AUTH_SOCK: socket }))).toBe(0);
          seen[tool] = await read(c.image(tool, "web"), "cat /agent; echo ---; cat /deploy");
        }
        // The agent's key with its comment; the key file's in an agent of its own: buildx's (in the
        // reference) gives it no comment, OpenSSH's ssh-add (tcompose loads key files with it) gives it the
        // file's comment. The keys are the same.
        expect(seen.reference).toBe(`12 1\n${agentKey} ${comment}\n---\n12 1\n${deployKey}\n`);
        expect(seen.tcompose).toBe(`12 1\n${agentKey} ${comment}\n---\n12 1\n${deployKey} deploy\n`);
        expect(await imageConfig(c.image("tcompose", "web"))).toEqual(
          await imageConfig(c.image("reference", "web")),
        );
      } finally {
        agent.kill();
      }
    });

    it("bad input: a missing secret file, an agent socket that is not there, no SSH_AUTH_SOCK", async () => {
      const c = setup("bad", {
        ".dockerignore": ignoreConfigs,
        "secret/Dockerfile": "FROM busybox:1.36\nRUN --mount=type=secret,id=s cat /run/secrets/s\n",
        "ssh/Dockerfile": "FROM busybox:1.36\nRUN --mount=type=ssh ls $SSH_AUTH_SOCK\n",
        "compose.yaml": `services:
  secret:
    build:
      context: ./secret
      secrets: [s]
  ssh:
    build:
      context: ./ssh
      ssh: [default]
secrets:
  s:
    file: ./missing.txt
`,
      });
      const missing = path.join(c.dir, "missing.txt");
      const socket = path.join(c.dir, "no-agent.sock");
      for (const [service, env, message] of [
        ["secret", {}, `failed to stat ${missing}: stat ${missing}: no such file or directory`],
        ["ssh", { SSH_AUTH_SOCK: socket }, `stat ${socket}: no such file or directory`],
        ["ssh", {}, "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set"],
      ] as const) {
        const ref = await c.build("reference", [service], env);
        expect(ref.code, ref.stdout + ref.stderr).toBe(1);
        expect(ref.stderr).toContain(message);
        const ours = await c.build("tcompose", [service], env);
        const text = ours.stdout + ours.stderr;
        expect(ours.code, text).toBe(ref.code);
        expect(text).toContain(env.SSH_AUTH_SOCK ? socket : service === "secret" ? missing : "SSH_AUTH_SOCK");
        noStack(text);
        for (const tool of ["reference", "tcompose"] as const)
          expect(await imageConfig(c.image(tool, service))).toBeUndefined();
      }
    });

    it("FROM --platform=$BUILDPLATFORM with the automatic platform args", async () => {
      const c = setup("platform", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM --platform=$BUILDPLATFORM busybox:1.36 AS build
ARG NONCE
ARG BUILDPLATFORM
ARG TARGETPLATFORM
ARG TARGETARCH
ARG TARGETOS
RUN echo "build=$BUILDPLATFORM target=$TARGETPLATFORM arch=$TARGETARCH os=$TARGETOS" > /platform
FROM busybox:1.36
ARG NONCE
ARG TARGETARCH
COPY --from=build /platform /platform
RUN echo "final-arch=$TARGETARCH" >> /platform
`,
        "compose.yaml": "services:\n  web:\n    build: .\n",
      });
      const server = await docker("version", "--format", "{{.Server.Os}}/{{.Server.Arch}}");
      const [os, arch] = server.stdout.trim().split("/");
      const seen: Record<Tool, string> = { reference: "", tcompose: "" };
      for (const tool of ["reference", "tcompose"] as const) {
        expect(...ok(await c.build(tool))).toBe(0);
        seen[tool] = await read(c.image(tool, "web"), "cat /platform");
      }
      expect(seen.reference).toBe(
        `build=${os}/${arch} target=${os}/${arch} arch=${arch} os=${os}\nfinal-arch=${arch}\n`,
      );
      expect(seen.tcompose).toBe(seen.reference);
      const config = await imageConfig(c.image("reference", "web"));
      expect(config).toMatchObject({ Os: os, Architecture: arch });
      expect(await imageConfig(c.image("tcompose", "web"))).toEqual(config);
    });

    it("multi-stage with target: the target stage's config and files, nothing of the later stage", async () => {
      const c = setup("target", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM busybox:1.36 AS base
ARG NONCE
RUN echo base > /base
FROM base AS mid
ENV MODE=mid
WORKDIR /srv/app
RUN echo mid > /srv/app/mid
LABEL stage=mid
EXPOSE 8080/tcp 9090/udp
USER 1234:1234
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /srv/app/mid"]
FROM mid AS final
ENV MODE=final
USER root
RUN echo final > /final-only
LABEL stage=final
`,
        "compose.yaml": `services:
  web:
    build:
      context: .
      target: mid
      labels:
        org.example.from-compose: "yes"
`,
      });
      const script = "cat /base /srv/app/mid; ls /final-only 2>&1; ls -a /";
      const seen: Record<Tool, string> = { reference: "", tcompose: "" };
      const cmd: Record<Tool, Run | undefined> = { reference: undefined, tcompose: undefined };
      for (const tool of ["reference", "tcompose"] as const) {
        expect(...ok(await c.build(tool))).toBe(0);
        seen[tool] = await read(c.image(tool, "web"), script);
        cmd[tool] = await docker("run", "--rm", c.image(tool, "web"));
      }
      expect(seen.reference).toMatch(/^base\nmid\nls: \/final-only: No such file or directory\n/);
      expect(seen.tcompose).toBe(seen.reference);
      expect(cmd.reference).toMatchObject({ code: 0, stdout: "mid\n" });
      expect(cmd.tcompose).toMatchObject({ code: 0, stdout: "mid\n" });
      const config = await imageConfig(c.image("reference", "web"));
      expect(config).toMatchObject({
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MODE=mid"],
        Cmd: ["cat /srv/app/mid"],
        Entrypoint: ["/bin/sh", "-c"],
        WorkingDir: "/srv/app",
        User: "1234:1234",
        ExposedPorts: { "8080/tcp": {}, "9090/udp": {} },
        Labels: {
          stage: "mid",
          "org.example.from-compose": "yes",
          "com.docker.compose.project": "P",
          "com.docker.compose.service": "web",
          "com.docker.compose.version": expect.any(String),
        },
      });
      expect(await imageConfig(c.image("tcompose", "web"))).toEqual(config);
    });

    it("a failing step: exit 17, the service, the step, its exit code and output; nothing tagged", async () => {
      const c = setup("fail", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM busybox:1.36\nRUN echo before-${hex()}\nRUN echo some output; exit 3\n`,
        "compose.yaml": "services:\n  broken:\n    build: .\n",
      });
      for (const tool of ["reference", "tcompose"] as const) {
        const r = await c.build(tool);
        const text = r.stdout + r.stderr;
        expect(r.code, text).toBe(17);
        expect(text).toContain("broken");
        expect(text).toContain("RUN echo some output; exit 3");
        expect(text).toMatch(/exit code:? 3\b/);
        expect(text).toContain("some output");
        noStack(text);
        expect(await imageConfig(c.image(tool, "broken"))).toBeUndefined();
      }
    });

    // This engine's Dockerfile frontend has no named contexts. The reference (2.26.1) takes `service:base`
    // for a directory ("failed to get build context base: stat service:base: no such file or directory")
    // and a docker-image:// context fails in the frontend ("unsupported frontend capability
    // moby.buildkit.frontend.contexts"), both exit 17 before building anything. tcompose either builds the
    // image right or fails as the reference does but more clearly: exit 17, one line naming the service
    // and the contexts, app not tagged.
    for (const [kind, value, reason] of [
      [
        "service",
        "service:base",
        "failed to get build context base: stat service:base: no such file or directory",
      ],
      [
        "image",
        "docker-image://busybox:1.36",
        "unsupported frontend capability moby.buildkit.frontend.contexts",
      ],
    ] as const) {
      it(`additional_contexts naming ${kind === "service" ? "another service" : "an image"}: fails clearly on this engine (or builds right)`, async () => {
        const c = setup(`ctx-${kind}`, {
          ".dockerignore": ignoreConfigs,
          "compose.yaml": `services:
  base:
    build:
      dockerfile_inline: |
        FROM busybox:1.36
        RUN echo base > /base
  app:
    build:
      context: .
      dockerfile_inline: |
        FROM base
        RUN (cat /base 2>/dev/null || echo image) > /seen
      additional_contexts:
        base: ${value}
`,
        });
        const ref = await c.build("reference", ["app"]);
        expect(ref.code, ref.stdout + ref.stderr).toBe(17);
        expect(ref.stderr).toContain(reason);
        expect(await imageConfig(c.image("reference", "app"))).toBeUndefined();

        const ours = await c.build("tcompose", ["app"]);
        const text = ours.stdout + ours.stderr;
        noStack(text);
        if (ours.code === 0) {
          expect(await read(c.image("tcompose", "app"), "cat /seen")).toBe(
            kind === "service" ? "base\n" : "image\n",
          );
        } else {
          // A failed build, as the reference's; one line names the service and the contexts.
          expect(ours.code, text).toBe(ref.code);
          const named = text.split("\n").filter((line) => line.includes("app") && line.includes("contexts"));
          expect(named, text).not.toEqual([]);
          expect(await imageConfig(c.image("tcompose", "app"))).toBeUndefined();
        }
      });
    }

    it("--progress plain: #N [service step] lines, DONE with the time, the RUN output, CACHED on a rebuild", async () => {
      // A base image of its own: a vertex that another build running at the same time shares (FROM
      // busybox:1.36) comes in the engine's stream out of order, sometimes without its end, for both tools.
      const base = `tcbk-progress-${hex()}:1`;
      expect(...ok(await docker("tag", "busybox:1.36", base))).toBe(0);
      tagged.push(base);
      const c = setup("progress", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM ${base}\nARG TOKEN\nRUN echo "step $TOKEN"\n`,
        "compose.yaml":
          'services:\n  web:\n    build:\n      context: .\n      args:\n        TOKEN: "${TOKEN}"\n',
      });
      const tokens: Record<Tool, string> = { reference: `r-${hex()}`, tcompose: `t-${hex()}` };
      /** `[scope] title` of each vertex, the tool's token replaced by "T". */
      const shape = (tool: Tool, vertices: Vertex[]) =>
        vertices.map((v) => `[${v.scope}] ${v.title.replaceAll(tokens[tool], "T")}`);
      const runs: Record<Tool, Vertex[][]> = { reference: [], tcompose: [] };
      for (const tool of ["reference", "tcompose"] as const) {
        const token = tokens[tool];
        for (let i = 0; i < 2; i++) {
          const r = await c.build(tool, [], { TOKEN: token });
          expect(...ok(r)).toBe(0);
          const output = r.stdout + r.stderr;
          const vertices = plainVertices(output);
          // Numbered from 1 in order, each ended.
          expect(
            vertices.map((v) => v.n),
            `${tool} run ${i + 1}:\n${output}`,
          ).toEqual(vertices.map((_, i) => i + 1));
          for (const v of vertices)
            expect(v.end ?? "no end line", `${tool} run ${i + 1}, #${v.n}:\n${output}`).toMatch(
              /^(DONE|CACHED)$/,
            );
          const step = vertices.find((v) => v.scope === "web 2/2");
          expect(step?.title).toBe(`RUN echo "step ${token}"`);
          if (i === 0) expect(step).toMatchObject({ end: "DONE", logs: [`step ${token}`] });
          else expect(step).toMatchObject({ end: "CACHED", logs: [] });
          runs[tool].push(vertices);
        }
      }
      // The engine runs the first steps side by side, so their order varies from build to build.
      expect(shape("reference", runs.reference[0] ?? []).sort()).toEqual(
        [
          "[web internal] load build definition from Dockerfile",
          "[web internal] load .dockerignore",
          `[web internal] load metadata for docker.io/library/${base}`,
          `[web 1/2] FROM docker.io/library/${base}`,
          '[web 2/2] RUN echo "step T"',
          "[web] exporting to image",
        ].sort(),
      );
      // The same vertices as the reference's, but for those that
      // bring the context and Dockerfile over, which depend on how they travel (the reference's session
      // has "load build definition from Dockerfile" and "load .dockerignore"; a context sent as the
      // request's tar has e.g. "load remote build context").
      const transport =
        /^\[web internal\] load (build definition from Dockerfile|\.dockerignore|remote build context|build context)$|^\[web\] copy \/context \/$/;
      const compared = (tool: Tool, i: number) =>
        shape(tool, runs[tool][i] ?? [])
          .filter((line) => !transport.test(line))
          .sort();
      for (let i = 0; i < 2; i++) {
        expect(compared("reference", i)).toHaveLength(4);
        expect(compared("tcompose", i)).toEqual(compared("reference", i));
      }
    });

    it("DOCKER_BUILDKIT=0 builds with the classic builder, which refuses RUN --mount as the reference's does", async () => {
      const c = setup("classic", {
        ".dockerignore": ignoreConfigs,
        Dockerfile: "FROM busybox:1.36\nRUN --mount=type=cache,target=/c echo hi\n",
        "plain/Dockerfile": `FROM busybox:1.36\nRUN echo classic-${hex()}\n`,
        "compose.yaml": "services:\n  web:\n    build: .\n  plain:\n    build: ./plain\n",
      });
      const message =
        "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled";
      const ref = await c.build("reference", ["web"], { DOCKER_BUILDKIT: "0" });
      expect(ref.code).toBe(1);
      expect(ref.stderr).toContain(message);
      expect(ref.stdout).toMatch(/^Step 2\/\d+ : RUN --mount=type=cache,target=\/c echo hi$/m);
      const ours = await c.build("tcompose", ["web"], { DOCKER_BUILDKIT: "0" });
      expect(ours.code, ours.stdout + ours.stderr).toBe(ref.code);
      expect(ours.stderr).toContain(message);
      expect(ours.stdout + ours.stderr).toMatch(/Step 2\/\d+ : RUN --mount=type=cache,target=\/c echo hi$/m);
      noStack(ours.stdout + ours.stderr);
      // A Dockerfile both builders take: classic output (Step i/n), no BuildKit vertices.
      for (const tool of ["reference", "tcompose"] as const) {
        const r = await c.build(tool, ["plain"], { DOCKER_BUILDKIT: "0" });
        expect(...ok(r)).toBe(0);
        expect(r.stdout + r.stderr).toMatch(/Step 1\/\d+ : FROM busybox:1\.36/);
        expect(plainVertices(r.stdout + r.stderr)).toEqual([]);
      }
      // The reference labels a classic build with the builder only (no project or service labels).
      const config = await imageConfig(c.image("reference", "plain"));
      expect(config?.Labels).toEqual({ "com.docker.compose.image.builder": "classic" });
      expect(await imageConfig(c.image("tcompose", "plain"))).toEqual(config);
    });

    it("builds independent services in parallel, sharing the cache mount (with the other tool's builds too)", async () => {
      const id = `tct-bk-par-${hex()}`;
      const dockerfile = `FROM busybox:1.36
ARG BUST
RUN --mount=type=cache,target=/cache,id=${id} sh -c 'echo "$BUST" >> /cache/log; sort /cache/log > /log'
`;
      const c = setup("parallel", {
        ".dockerignore": ignoreConfigs,
        "a/Dockerfile": dockerfile,
        "b/Dockerfile": dockerfile,
        "compose.yaml": `services:
  a:
    build:
      context: ./a
      args:
        BUST: "a-\${BUST}"
  b:
    build:
      context: ./b
      args:
        BUST: "b-\${BUST}"
`,
      });
      const seen: Record<Tool, string> = { reference: "", tcompose: "" };
      for (const [tool, bust] of [
        ["reference", "r"],
        ["tcompose", "t"],
      ] as const) {
        const both = await c.build(tool, [], { BUST: bust });
        expect(...ok(both)).toBe(0);
        // Built again with another BUST, a's log has what both parallel builds wrote.
        const again = await c.build(tool, ["a"], { BUST: `${bust}2` });
        expect(...ok(again)).toBe(0);
        seen[tool] = await read(c.image(tool, "a"), "cat /log");
      }
      expect(seen.reference).toBe("a-r\na-r2\nb-r\n");
      expect(seen.tcompose).toBe("a-r\na-r2\na-t\na-t2\nb-r\nb-t\n");
      for (const service of ["a", "b"])
        expect(await imageConfig(c.image("tcompose", service))).toEqual(
          await imageConfig(c.image("reference", service)),
        );
    });
  },
);

describe.skipIf(!haveReference || Boolean(authRegistrySkipNote))(
  `BuildKit: a private FROM image behind an htpasswd registry${referenceBuildkitSkipNote}${authRegistrySkipNote}`,
  () => {
    let registry: AuthRegistry | undefined;
    const dir = tempDir("registry-", work);
    afterAll(() => registry?.stop());

    it("builds with the login from DOCKER_CONFIG's config.json, and fails without it", async () => {
      registry = await startAuthRegistry(dir, "127.0.0.1:5057", "tc", `pw-${hex()}`);
      const base = `${registry.address}/tcbk/base:${hex()}`;
      const auths = { [registry.address]: { auth: registry.auth } };
      const login = dockerConfig(dir, "login", { auths });
      try {
        expect(...ok(await docker("tag", "busybox:1.36", base))).toBe(0);
        const push = await docker("--config", login, "push", base);
        expect(...ok(push)).toBe(0);
      } finally {
        await docker("rmi", base);
      }
      const files = {
        ".dockerignore": ignoreConfigs,
        Dockerfile: `FROM ${base}\nARG NONCE\nRUN echo derived > /derived\n`,
        "compose.yaml": "services:\n  web:\n    build: .\n",
      };
      const denied = setup("private-out", files);
      const allowed = setup("private-in", files, auths);
      for (const tool of ["reference", "tcompose"] as const) {
        const out = await denied.build(tool);
        expect(out.code, out.stdout + out.stderr).toBe(17);
        expect(out.stdout + out.stderr).toMatch(/401 Unauthorized|no basic auth credentials|authorization/i);
        noStack(out.stdout + out.stderr);
        expect(await imageConfig(denied.image(tool, "web"))).toBeUndefined();

        const r = await allowed.build(tool);
        expect(...ok(r)).toBe(0);
        expect(await read(allowed.image(tool, "web"), "cat /derived")).toBe("derived\n");
      }
      expect(await imageConfig(allowed.image("tcompose", "web"))).toEqual(
        await imageConfig(allowed.image("reference", "web")),
      );
    });
  },
);
