import { describe, expect, it } from "vitest";
import { buildkitFailureMessage } from "../../../src/project/build/buildkit.js";
import { BuildTranscript, buildFailureMessage } from "../../../src/project/build/index.js";
import {
  BuildError,
  builderFromEnv,
  isRemoteContext,
  planBuild,
  resolveBuildArgs,
} from "../../../src/project/build/request.js";

describe("build request", () => {
  it("maps a long-form build to POST /build parameters", () => {
    const plan = planBuild(
      "proj",
      "web",
      {
        build: {
          context: "/src/app",
          dockerfile: "docker/Dockerfile.dev",
          args: { A: "1", B: null },
          target: "final",
          labels: { mine: "x" },
          cache_from: ["proj-web:cache"],
          no_cache: true,
          pull: true,
          network: "host",
          extra_hosts: ["db=10.0.0.2", "v6=::1"],
          shm_size: "67108864",
          tags: ["reg/web:1"],
          platforms: ["linux/amd64"],
        },
      },
      { B: "from-env" },
    );
    expect(plan.image).toBe("proj-web");
    expect(plan.contextDir).toBe("/src/app");
    expect(plan.dockerfile).toBe("docker/Dockerfile.dev");
    expect(plan.addedDockerfile).toBeUndefined();
    expect(plan.query).toEqual({
      version: "1",
      t: ["proj-web", "reg/web:1"],
      dockerfile: "docker/Dockerfile.dev",
      buildargs: { A: "1", B: "from-env" },
      // The reference's classic builds (DOCKER_BUILDKIT=0) are labelled so.
      labels: { mine: "x", "com.docker.compose.image.builder": "classic" },
      rm: true,
      forcerm: true,
      nocache: true,
      pull: true,
      target: "final",
      cachefrom: '["proj-web:cache"]',
      networkmode: "host",
      extrahosts: ["db:10.0.0.2", "v6:::1"],
      shmsize: 67108864,
      platform: "linux/amd64",
    });
  });

  it("uses image: as the tag, and the command's --no-cache and --pull", () => {
    const plan = planBuild(
      "p",
      "s",
      { image: "me/app:2", build: { context: "/c" } },
      {},
      { noCache: true, pull: true },
    );
    expect(plan.query.t).toEqual(["me/app:2"]);
    expect(plan.query.dockerfile).toBe("Dockerfile");
    expect(plan.query.nocache).toBe(true);
    expect(plan.query.pull).toBe(true);
  });

  it("resolves args: --build-arg overrides, valueless ones come from the environment or are dropped", () => {
    expect(
      resolveBuildArgs({ A: "1", B: null, C: "3" }, ["C=cli", "D", "E", "F=x=y"], { B: "b", D: "d" }),
    ).toEqual({
      A: "1",
      B: "b",
      C: "cli",
      D: "d",
      F: "x=y",
    });
  });

  it("adds a Dockerfile that is inline or outside the context under a stable hidden name", () => {
    const inline = planBuild(
      "p",
      "s",
      { build: { context: "/c", dockerfile_inline: "FROM busybox:1.36\n" } },
      {},
    );
    expect(inline.dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    expect(inline.addedDockerfile).toEqual({ text: "FROM busybox:1.36\n" });
    expect(
      planBuild("p", "s", { build: { context: "/c", dockerfile_inline: "FROM busybox:1.36\n" } }, {})
        .dockerfile,
    ).toBe(inline.dockerfile);
    const outside = planBuild("p", "s", { build: { context: "/c/sub", dockerfile: "../Dockerfile" } }, {});
    expect(outside.addedDockerfile).toEqual({ file: "/c/Dockerfile" });
    const absolute = planBuild("p", "s", { build: { context: "/c", dockerfile: "/c/x/Dockerfile" } }, {});
    expect(absolute.dockerfile).toBe("x/Dockerfile");
  });

  it("refuses what the classic builder cannot do, naming the service", () => {
    const refuse = (build: Record<string, unknown>) => () =>
      planBuild("p", "web", { build: { context: "/c", ...build } }, {});
    expect(refuse({ secrets: [{ source: "s" }] })).toThrow(/service "web".*doesn't support secrets/);
    expect(refuse({ ssh: { default: null } })).toThrow(/SSH keys/);
    expect(refuse({ platforms: ["linux/amd64", "linux/arm64"] })).toThrow(/multi-arch/);
    expect(refuse({ context: "https://github.com/docker/compose.git" })).toThrow(/Git repository or URL/);
    expect(refuse({ secrets: [{ source: "s" }] })).toThrow(BuildError);
  });

  it("recognises git and URL contexts", () => {
    expect(isRemoteContext("git@github.com:a/b.git")).toBe(true);
    expect(isRemoteContext("github.com/a/b")).toBe(true);
    expect(isRemoteContext("https://example.com/ctx.tar.gz")).toBe(true);
    expect(isRemoteContext("/home/me/app")).toBe(false);
  });

  it("a failure names the service, the step, its exit code and its output", () => {
    const lines: string[] = [];
    const t = new BuildTranscript((l) => lines.push(l));
    t.write("Step 1/2 : FROM busybox:1.36\n ---> 05a5bc18871b\nStep 2/2 : RUN exit 3\n");
    t.write(" ---> Running in abc\nsome out");
    t.write("put\n\u001b[91msome err\n\u001b[0m");
    t.flush();
    expect(lines).toContain("some output");
    expect(buildFailureMessage("web", t, "The command '/bin/sh -c exit 3' returned a non-zero code: 3")).toBe(
      `failed to build service "web" at step 2/2 (RUN exit 3), exit code 3: The command '/bin/sh -c exit 3' returned a non-zero code: 3\n  some output\n  some err`,
    );
  });

  describe("with BuildKit", () => {
    const secrets = { s1: { file: "/run/s1.txt" }, s2: { environment: "S2" }, ext: { external: true } };
    const plan = (build: Record<string, unknown>, options: Record<string, unknown> = {}) =>
      planBuild(
        "p",
        "web",
        { build: { context: "/c", ...build } },
        {},
        { builder: "buildkit", secrets, ...options },
      );

    it("asks the engine for BuildKit (version 2) and takes what the classic builder refuses", () => {
      const p = plan(
        { secrets: ["s1", { source: "s2", target: "t2" }], ssh: ["default", "k1: /keys/a,/keys/b"] },
        {
          ssh: ["k2=/run/agent.sock"],
        },
      );
      expect(p.query.version).toBe("2");
      expect(p.query.labels).toEqual({
        "com.docker.compose.project": "p",
        "com.docker.compose.service": "web",
        "com.docker.compose.version": "2.26.1",
      });
      expect(p.builder).toBe("buildkit");
      // A secret is asked for by its target when it has one (compose 2.26's build secrets).
      expect(p.secrets).toEqual([
        { id: "s1", source: "s1", file: "/run/s1.txt" },
        { id: "t2", source: "s2", environment: "S2" },
      ]);
      expect(p.ssh).toEqual([
        { id: "default", paths: [] },
        { id: "k1", paths: ["/keys/a", "/keys/b"] },
        { id: "k2", paths: ["/run/agent.sock"] },
      ]);
    });

    it("takes cache_from's registry references and inline cache_to; refuses what the engine cannot do", () => {
      expect(
        plan({ cache_from: ["type=registry,ref=reg/app:cache", "plain/ref:1", "type=local,src=/x"] }).query
          .cachefrom,
      ).toBe(JSON.stringify(["reg/app:cache", "plain/ref:1"]));
      expect(plan({ cache_to: ["type=inline"] }).query.buildargs).toEqual({ BUILDKIT_INLINE_CACHE: "1" });
      expect(() => plan({ cache_to: ["type=registry,ref=reg/app:cache"] })).toThrow(
        /exports cache only inline/,
      );
      expect(() => plan({ privileged: true })).toThrow(/security\.insecure/);
      expect(() => plan({ additional_contexts: { base: "service:base" } })).toThrow(
        /additional_contexts needs named build contexts.*moby\.buildkit\.frontend\.contexts/,
      );
      expect(() => plan({ platforms: ["linux/amd64", "linux/arm64"] })).toThrow(
        /engine's BuildKit doesn't support multi-arch/,
      );
      expect(() => plan({ secrets: ["nope"] })).toThrow(/secret "nope" is not defined/);
      expect(() => plan({ secrets: ["ext"] })).toThrow(
        /secret "ext" must have a file or an environment variable/,
      );
      expect(() => plan({ ssh: ["bad entry=x"] })).toThrow(/build\.ssh: invalid entry/);
    });

    it("reads DOCKER_BUILDKIT as the docker CLI does", () => {
      expect(builderFromEnv(undefined)).toBe("buildkit");
      expect(builderFromEnv("")).toBe("buildkit");
      expect(builderFromEnv("1")).toBe("buildkit");
      expect(builderFromEnv("true")).toBe("buildkit");
      expect(builderFromEnv("0")).toBe("classic");
      expect(builderFromEnv("False")).toBe("classic");
      expect(() => builderFromEnv("yes")).toThrow(/expects boolean value/);
      // An engine without BuildKit (before API 1.39) builds classic, and refuses DOCKER_BUILDKIT=1.
      expect(builderFromEnv(undefined, "1.41")).toBe("buildkit");
      expect(builderFromEnv(undefined, "1.38")).toBe("classic");
      expect(builderFromEnv("0", "1.41")).toBe("classic");
      expect(() => builderFromEnv("1", "1.38")).toThrow(/has no BuildKit; it needs API 1\.39/);
    });

    it("a failure names the service, the step, its exit code and its last lines", () => {
      expect(
        buildkitFailureMessage(
          "web",
          {
            service: "web",
            step: "[web 2/2] RUN exit 3",
            error: "x",
            exitCode: 3,
            logs: ["out 1", "", "out 2"],
          },
          "executor failed running [/bin/sh -c exit 3]: exit code: 3",
        ),
      ).toBe(
        `failed to build service "web" at step [web 2/2] RUN exit 3, exit code 3: executor failed running [/bin/sh -c exit 3]: exit code: 3\n  out 1\n  out 2`,
      );
      expect(buildkitFailureMessage("web", undefined, "failed to read dockerfile")).toBe(
        `failed to build service "web": failed to read dockerfile`,
      );
      // Refused by the frontend before any step: the Dockerfile is named, with the line when known.
      const parse =
        "failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNX";
      expect(buildkitFailureMessage("web", undefined, parse, "/app/Dockerfile")).toBe(
        `failed to build service "web" (/app/Dockerfile:2): ${parse}`,
      );
    });
  });
});
