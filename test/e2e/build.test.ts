// `build`, `pull` and `push` on the real engine, through the CLI as a process: args, target and
// .dockerignore seen from inside the built image, the engine's cache on a rebuild, a failing step's
// message, built images' labels compared with the reference's, pull and push progress lines compared with
// the reference's, and a push to the local registry (127.0.0.1:5000). Then what only shows on the wire or in
// the built image: `up` with `pull_policy: build`, `build --no-cache` and `--pull`, and independent builds
// sent at once (a recording proxy in front of the engine, test/helpers/engine-proxy.ts).
// This file is the classic builder's: both tools run with DOCKER_BUILDKIT=0 (the reference 2.26.1 builds
// with BuildKit otherwise, buildx plugin or not). BuildKit builds are test/e2e/buildkit.test.ts's.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { type EngineProxy, runAsync, socketOf, startEngineProxy } from "../helpers/engine-proxy.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
const images: string[] = [];

beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const image of images) await engine.removeImage(image, { force: true });
});

function project(files: Record<string, string>): { dir: string; name: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tct-build-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return { dir, name: uniqueProjectName("build") };
}

function run(command: string, dir: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(command, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tcompose = (dir: string, name: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, dir, [cliPath, "-p", name, "--progress", "plain", ...args], {
    DOCKER_BUILDKIT: "0",
    ...env,
  });
const reference = (dir: string, name: string, args: string[]) =>
  run(referenceBinary ?? "false", dir, ["-p", name, "--progress", "plain", ...args], {
    DOCKER_BUILDKIT: "0",
  });
const docker = (...args: string[]) => run("docker", process.cwd(), args);
/** The image's id now, asked of the engine each time (engine.inspectImage keeps what it saw once). */
const imageId = (ref: string): string | undefined =>
  docker("image", "inspect", "--format", "{{.Id}}", ref).stdout.trim() || undefined;
/** tcompose with the engine behind a recording proxy (asynchronous: the proxy serves from this process). */
const tcomposeThrough = (proxy: EngineProxy, dir: string, name: string, args: string[]) =>
  runAsync(process.execPath, [cliPath, "-p", name, "--progress", "plain", ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", DOCKER_BUILDKIT: "0", DOCKER_HOST: proxy.host },
  });
async function proxy(): Promise<EngineProxy> {
  const socket = socketOf(engine.endpoint);
  if (!socket)
    throw new Error(`the recording proxy needs an engine on a unix socket, not ${engine.endpoint}`);
  return startEngineProxy(socket);
}
/** This file's own names for what the audit tests create (tct8-…), unique per run. */
const tct8 = (what: string) => `tct8-${what}-${randomBytes(4).toString("hex")}`;

const dockerfile = `FROM busybox:1.36 AS base
ARG GREETING=hi
ARG FROMENV
RUN echo "greeting=$GREETING fromenv=$FROMENV" > /greeting
COPY . /ctx
FROM base AS final
RUN echo final > /final
`;

describe("build", () => {
  it("up --build rebuilds from the cache and recreates only the service whose image changed", async () => {
    const { dir, name } = project({
      "a/Dockerfile": 'FROM busybox:1.36\nCOPY msg /msg\nCMD ["sleep", "3600"]\n',
      "a/msg": "a1\n",
      "b/Dockerfile": 'FROM busybox:1.36\nCOPY msg /msg\nCMD ["sleep", "3600"]\n',
      "b/msg": "b1\n",
      "compose.yaml":
        "services:\n  a:\n    build: ./a\n    init: true\n  b:\n    build: ./b\n    init: true\n",
    });
    images.push(`${name}-a`, `${name}-b`);
    try {
      expect(tcompose(dir, name, ["up", "-d"]).code).toBe(0);
      const ids = async () =>
        Object.fromEntries(
          (await engine.listContainers({ "com.docker.compose.project": name })).map((c) => [
            c.names[0],
            c.id,
          ]),
        );
      const first = await ids();
      writeFileSync(path.join(dir, "a/msg"), "a2\n");
      const again = tcompose(dir, name, ["up", "-d", "--build"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`Container ${name}-a-1  Recreated`);
      expect(again.stderr).toContain(`Container ${name}-b-1  Running`);
      const second = await ids();
      expect(second[`${name}-b-1`]).toBe(first[`${name}-b-1`]);
      expect(second[`${name}-a-1`]).not.toBe(first[`${name}-a-1`]);
      expect(docker("exec", `${name}-a-1`, "cat", "/msg").stdout).toBe("a2\n");
    } finally {
      tcompose(dir, name, ["down"]);
    }
  });

  it("passes args (valueless ones from the environment), stops at the target, leaves out ignored files", async () => {
    const { dir, name } = project({
      Dockerfile: dockerfile,
      ".dockerignore": "secret.txt\n**/*.log\n",
      "secret.txt": "s",
      "keep.txt": "k",
      "sub/a.log": "l",
      "sub/b.txt": "b",
      "compose.yaml": `services:
  web:
    build:
      context: .
      target: base
      args:
        GREETING: hello
        FROMENV:
      labels:
        mine: v1
  inline:
    build:
      dockerfile_inline: |
        FROM busybox:1.36
        RUN echo inline > /inline
  plain:
    image: busybox:1.36
`,
    });
    images.push(`${name}-web`, `${name}-inline`);
    const r = tcompose(dir, name, ["build"], { FROMENV: "env-value" });
    expect(r.stderr).toContain("[web] Step 1/");
    expect(r.stderr).toMatch(/^ web Built $/m);
    expect(r.stderr).toMatch(/^ inline Built $/m);
    expect(r.stderr).not.toMatch(/plain/);
    expect(r.code).toBe(0);

    const inside = docker(
      "run",
      "--rm",
      `${name}-web`,
      "sh",
      "-c",
      "cat /greeting; ls /ctx /ctx/sub; ls /final",
    );
    expect(inside.stdout).toContain("greeting=hello fromenv=env-value");
    expect(inside.stdout).toContain("keep.txt");
    expect(inside.stdout).toContain("b.txt");
    expect(inside.stdout).not.toContain("secret.txt");
    expect(inside.stdout).not.toContain("a.log");
    // target: base, so the final stage did not run.
    expect(inside.stderr).toContain("/final");
    expect(docker("run", "--rm", `${name}-inline`, "cat", "/inline").stdout).toBe("inline\n");

    const details = await engine.inspectImage(`${name}-web`);
    // The rebuild below with another arg leaves this image untagged: remove it too.
    if (details) images.push(details.id);
    expect(details?.labels).toEqual({ mine: "v1", "com.docker.compose.image.builder": "classic" });

    // Nothing changed: every step from the engine's cache, the same image.
    const again = tcompose(dir, name, ["build", "web"], { FROMENV: "env-value" });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("Using cache");
    expect(imageId(`${name}-web`)).toBe(details?.id);

    // --build-arg overrides build.args; -q prints nothing.
    const quiet = tcompose(dir, name, ["build", "-q", "--build-arg", "GREETING=cli", "web"]);
    expect(quiet).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(docker("run", "--rm", `${name}-web`, "cat", "/greeting").stdout).toBe("greeting=cli fromenv=\n");
  });

  it("a failing step exits with its exit code (as the reference's classic builds), naming the service, the step and its output", () => {
    const { dir, name } = project({
      Dockerfile: "FROM busybox:1.36\nRUN echo before\nRUN echo step-output; exit 3\n",
      "compose.yaml": "services:\n  broken:\n    build: .\n",
    });
    const r = tcompose(dir, name, ["build"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ broken Error $/m);
    expect(r.stderr).toContain(
      `tcompose: failed to build service "broken" at step 3/4 (RUN echo step-output; exit 3), exit code 3: ` +
        "The command '/bin/sh -c echo step-output; exit 3' returned a non-zero code: 3\n  step-output\n",
    );
  });

  it("refuses build secrets with a clear message", () => {
    const { dir, name } = project({
      Dockerfile: "FROM busybox:1.36\n",
      "s.txt": "x",
      "compose.yaml":
        "services:\n  web:\n    build:\n      context: .\n      secrets: [s]\nsecrets:\n  s:\n    file: ./s.txt\n",
    });
    const r = tcompose(dir, name, ["build"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed to build service "web": the classic builder doesn't support secrets`);
    // A name that is no service: the reference's message and exit code.
    expect(tcompose(dir, name, ["build", "nosuch"])).toMatchObject({
      code: 1,
      stderr: "tcompose: no such service: nosuch\n",
    });
  });

  it.skipIf(!referenceBinary)(
    `puts the labels the reference puts on built images${referenceSkipNote}`,
    async () => {
      const { dir, name } = project({
        Dockerfile: "FROM busybox:1.36\n",
        "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      labels: {a: b}\n",
      });
      const other = `${name}-ref`;
      images.push(`${name}-web`, `${other}-web`);
      expect(tcompose(dir, name, ["build"]).code).toBe(0);
      expect(reference(dir, other, ["build"]).code).toBe(0);
      const ours = (await engine.inspectImage(`${name}-web`))?.labels ?? {};
      const theirs = (await engine.inspectImage(`${other}-web`))?.labels ?? {};
      expect({ ...ours, "com.docker.compose.project": "P" }).toEqual({
        ...theirs,
        "com.docker.compose.project": "P",
      });
    },
  );
});

describe("pull and push", () => {
  const registryImage = "127.0.0.1:5000/tcbuild/x:1";
  const files = {
    "compose.yaml": `services:
  web:
    image: busybox:1.36
  never:
    image: redis:7-bookworm
    pull_policy: never
  built:
    build:
      dockerfile_inline: "FROM busybox:1.36\\n"
  pushed:
    image: ${registryImage}
    build:
      dockerfile_inline: "FROM busybox:1.36\\nLABEL tcbuild=push\\n"
`,
  };

  it.skipIf(!referenceBinary)(`pull prints the reference's service lines${referenceSkipNote}`, () => {
    const { dir, name } = project(files);
    const serviceLines = (text: string) =>
      text
        .split("\n")
        .filter((l) => /^ (web|never|built) /.test(l))
        .sort();
    const ours = tcompose(dir, name, ["pull", "web", "never", "built"]);
    const theirs = reference(dir, name, ["pull", "web", "never", "built"]);
    expect(ours.code).toBe(theirs.code);
    expect(serviceLines(ours.stderr)).toEqual(serviceLines(theirs.stderr));
    expect(serviceLines(ours.stderr)).toEqual([
      " built Skipped - No image to be pulled ",
      " never Skipped ",
      " web Pulled ",
      " web Pulling ",
    ]);
    const missing = tcompose(dir, name, ["pull", "--policy", "missing", "web"]);
    expect(missing.stderr).toBe(" web Skipped - Image is already present locally \n");
  });

  it("pull of an image that does not exist exits 18, unless --ignore-pull-failures", () => {
    const { dir, name } = project({
      "compose.yaml": "services:\n  gone:\n    image: 127.0.0.1:5000/tcbuild/does-not-exist:1\n",
    });
    const failed = tcompose(dir, name, ["pull"]);
    expect(failed.code).toBe(18);
    expect(failed.stderr).toMatch(
      /^ gone Error manifest for 127\.0\.0\.1:5000\/tcbuild\/does-not-exist:1 not found/m,
    );
    expect(tcompose(dir, name, ["pull", "--ignore-pull-failures"]).code).toBe(0);
  });

  it("push sends the built image to the registry, with per-layer lines", async () => {
    const { dir, name } = project(files);
    images.push(registryImage);
    expect(tcompose(dir, name, ["build", "pushed"]).code).toBe(0);
    const r = tcompose(dir, name, ["push"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ web Skipped $/m);
    expect(r.stderr).toMatch(/^ built Skipped $/m);
    // A layer the registry holds in another repository (busybox's, on a fresh registry) is mounted, not sent.
    expect(r.stderr).toMatch(
      /^ Pushing 127\.0\.0\.1:5000\/tcbuild\/x:1: [0-9a-f]{12} (Pushed|Layer already exists|Mounted from \S+) $/m,
    );
    const tags = (await (await fetch("http://127.0.0.1:5000/v2/tcbuild/x/tags/list")).json()) as {
      tags: string[];
    };
    expect(tags.tags).toContain("1");
    // The registry now serves the image: drop it locally and pull it back.
    await engine.removeImage(registryImage, { force: true });
    const pulled = tcompose(dir, name, ["pull", "pushed"]);
    expect(pulled.code).toBe(0);
    expect((await engine.inspectImage(registryImage))?.labels.tcbuild).toBe("push");
  });

  it("push of a missing image fails, or is reported after the progress with --ignore-push-failures", async () => {
    const { dir, name } = project({
      "compose.yaml":
        'services:\n  absent:\n    image: 127.0.0.1:5000/tcbuild/absent:1\n    build:\n      dockerfile_inline: "FROM busybox:1.36\\n"\n',
    });
    const failed = tcompose(dir, name, ["push"]);
    expect(failed.code).toBe(1);
    // The engine's words depend on whether it knows the repository at all.
    const words =
      /(tag does not exist|An image does not exist locally with the tag): 127\.0\.0\.1:5000\/tcbuild\/absent/;
    expect(failed.stderr).toMatch(new RegExp(`^tcompose: ${words.source}`, "m"));
    const ignored = tcompose(dir, name, ["push", "--ignore-push-failures"]);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(new RegExp(`^Pushing absent: ${words.source}`, "m"));
  });
});

describe("build through the engine: pull_policy, --no-cache, --pull, parallel builds", () => {
  it("up with pull_policy: build builds the image though one of that name is local, and pulls nothing", async () => {
    const name = tct8("ppbuild");
    const image = `${name}-img:1`;
    const { dir } = project({
      "compose.yaml": `services:
  web:
    image: ${image}
    pull_policy: build
    build:
      dockerfile_inline: "FROM busybox:1.36\\nRUN echo built-${name} > /built\\n"
    command: sleep 300
    init: true
`,
    });
    // An image of that name is already there (busybox itself): the missing policy would just use it.
    expect(docker("tag", "busybox:1.36", image).code).toBe(0);
    images.push(image);
    const busybox = imageId("busybox:1.36");
    expect(imageId(image)).toBe(busybox);
    const recorder = await proxy();
    try {
      const up = await tcomposeThrough(recorder, dir, name, ["up", "-d"]);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toContain("web Built");
      const requests = recorder.calls.filter((c) => c.event === "request");
      expect(requests.filter((c) => c.method === "POST" && c.path === "/build")).toHaveLength(1);
      expect(requests.filter((c) => c.path === "/images/create")).toEqual([]);
      const built = imageId(image);
      expect(built).toBeDefined();
      expect(built).not.toBe(busybox);
      const [container] = await engine.listContainers({ "com.docker.compose.project": name });
      expect((await engine.inspectContainer(container?.id ?? "")).imageId).toBe(built);
      expect(docker("exec", `${name}-web-1`, "cat", "/built").stdout).toBe(`built-${name}\n`);
    } finally {
      await recorder.close();
      tcompose(dir, name, ["down"]);
    }
  });

  it("up pulls an image a service can build; when the registry has none it builds it, as the reference", async () => {
    const name = tct8("pullfallback");
    // The local registry answers, but has no such repository: the pull fails, the build makes the image.
    const image = `127.0.0.1:5000/${name}:1`;
    const compose = `services:
  web:
    image: ${image}
    build: .
    command: sleep 300
    init: true
`;
    const { dir } = project({
      "compose.yaml": compose,
      Dockerfile: `FROM busybox:1.36\nRUN echo built-${name} > /built\n`,
    });
    images.push(image);
    const recorder = await proxy();
    try {
      const up = await tcomposeThrough(recorder, dir, name, ["up", "-d"]);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/web Warning/);
      const requests = recorder.calls.filter((c) => c.event === "request");
      const pull = requests.findIndex((c) => c.method === "POST" && c.path.startsWith("/images/create"));
      const build = requests.findIndex((c) => c.method === "POST" && c.path.startsWith("/build"));
      expect(pull).toBeGreaterThanOrEqual(0);
      expect(build).toBeGreaterThan(pull);
      expect(docker("exec", `${name}-web-1`, "cat", "/built").stdout).toBe(`built-${name}\n`);
      if (referenceBinary) {
        tcompose(dir, name, ["down", "--rmi", "all"]);
        const ref = reference(dir, name, ["up", "-d"]);
        expect(ref.code, ref.stderr).toBe(0);
        expect(ref.stderr).toMatch(/web Warning/);
        expect(docker("exec", `${name}-web-1`, "cat", "/built").stdout).toBe(`built-${name}\n`);
      }
    } finally {
      await recorder.close();
      tcompose(dir, name, ["down", "--rmi", "all"]);
    }
  });

  it("build --no-cache runs the RUN step again, where a plain rebuild takes it from the cache", async () => {
    const name = tct8("nocache");
    const { dir } = project({
      Dockerfile: "FROM busybox:1.36\nRUN cat /proc/sys/kernel/random/uuid > /stamp\n",
      "compose.yaml": "services:\n  web:\n    build: .\n",
    });
    const image = `${name}-web`;
    images.push(image);
    const stamp = () => docker("run", "--rm", image, "cat", "/stamp").stdout;
    const idOf = () => {
      const id = imageId(image);
      if (id) images.push(id); // a rebuild leaves it untagged
      return id;
    };

    expect(tcompose(dir, name, ["build"]).code).toBe(0);
    const first = { stamp: stamp(), id: idOf() };
    expect(first.stamp).toMatch(/^[0-9a-f-]{36}\n$/);

    const cached = tcompose(dir, name, ["build"]);
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stderr).toContain("Using cache");
    expect(stamp()).toBe(first.stamp);
    expect(idOf()).toBe(first.id);

    const fresh = tcompose(dir, name, ["build", "--no-cache"]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain("Using cache");
    expect(fresh.stderr).toContain("RUN cat /proc/sys/kernel/random/uuid > /stamp");
    expect(stamp()).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(stamp()).not.toBe(first.stamp);
    expect(idOf()).not.toBe(first.id);
  });

  it("build --pull takes the FROM image from the registry, where a plain build uses the local one", async () => {
    const hex = randomBytes(4).toString("hex");
    const base = "127.0.0.1:5000/tct8-base:1";
    const [a, b] = [`tct8-base-a-${hex}`, `tct8-base-b-${hex}`];
    const dockerBuild = (tag: string, which: string) =>
      run(
        "docker",
        process.cwd(),
        ["build", "-q", "-t", tag, "-"],
        { DOCKER_BUILDKIT: "0" },
        `FROM busybox:1.36\nRUN echo ${which} > /which\n`,
      );
    const name = tct8("pull");
    const { dir } = project({
      "compose.yaml": `services:
  web:
    build:
      dockerfile_inline: "FROM ${base}\\nRUN cp /which /seen\\n"
`,
    });
    images.push(`${name}-web`, a, b, base);
    const seen = () => docker("run", "--rm", `${name}-web`, "cat", "/seen").stdout;
    const idOf = () => {
      const id = imageId(`${name}-web`);
      if (id) images.push(id);
      return id;
    };

    // A only in the registry; B, another image, under the same name locally.
    expect(dockerBuild(a, `A-${hex}`).code).toBe(0);
    expect(dockerBuild(b, `B-${hex}`).code).toBe(0);
    const [idA, idB] = [imageId(a), imageId(b)];
    try {
      expect(docker("tag", a, base).code).toBe(0);
      const pushed = docker("push", base);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(docker("tag", b, base).code).toBe(0);
      expect(imageId(base)).toBe(idB);

      const plain = tcompose(dir, name, ["build"]);
      idOf();
      expect(plain.code, plain.stderr).toBe(0);
      expect(seen()).toBe(`B-${hex}\n`);

      const pulled = tcompose(dir, name, ["build", "--pull"]);
      idOf();
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(seen()).toBe(`A-${hex}\n`);
      // The pull put A back under the base's name.
      expect(imageId(base)).toBe(idA);
    } finally {
      // By id too, after the images built on them: A keeps the registry's digest once its tags are gone.
      for (const id of [idA, idB]) if (id) images.push(id);
    }
  });

  it("builds independent services at once: the second POST /build starts before the first one's answer ends", async () => {
    const name = tct8("parallel");
    const { dir } = project({
      "compose.yaml": `services:
  one:
    build:
      dockerfile_inline: "FROM busybox:1.36\\nRUN sleep 2 && echo one-${name}\\n"
  two:
    build:
      dockerfile_inline: "FROM busybox:1.36\\nRUN sleep 2 && echo two-${name}\\n"
`,
    });
    images.push(`${name}-one`, `${name}-two`);
    const recorder = await proxy();
    try {
      const r = await tcomposeThrough(recorder, dir, name, ["build"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`[one] one-${name}`);
      expect(r.stderr).toContain(`[two] two-${name}`);
    } finally {
      await recorder.close();
    }
    const builds = recorder.calls
      .filter((c) => c.method === "POST" && c.path === "/build")
      .map((c) => `${c.event} ${c.query.get("t")}`);
    // Both requests were on the wire before either answer ended (each takes 2 s in its RUN step).
    expect(builds.slice(0, 2).sort()).toEqual([`request ${name}-one`, `request ${name}-two`]);
    expect(builds.slice(2).sort()).toEqual([`end ${name}-one`, `end ${name}-two`]);
  });

  it("--parallel 1 builds one service at a time: the second POST /build starts after the first one's answer", async () => {
    const name = tct8("parallel1");
    const { dir } = project({
      "compose.yaml": `services:
  one:
    build:
      dockerfile_inline: "FROM busybox:1.36\\nRUN sleep 1 && echo one-${name}\\n"
  two:
    build:
      dockerfile_inline: "FROM busybox:1.36\\nRUN sleep 1 && echo two-${name}\\n"
`,
    });
    images.push(`${name}-one`, `${name}-two`);
    const recorder = await proxy();
    try {
      const r = await tcomposeThrough(recorder, dir, name, ["--parallel", "1", "build"]);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await recorder.close();
    }
    const events = recorder.calls
      .filter((c) => c.method === "POST" && c.path === "/build")
      .map((c) => c.event);
    expect(events).toEqual(["request", "end", "request", "end"]);
  });
});
