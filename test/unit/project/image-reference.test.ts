import { describe, expect, it } from "vitest";
import {
  dockerReference,
  parseImageReference,
  pinImageDigests,
  pinnedReference,
  splitRepoTag,
} from "../../../src/project/image-reference.js";

const digest = `sha256:${"ab".repeat(32)}`;

describe("image references, read like distribution/reference", () => {
  it("tells a registry from a docker.io path by its first component", () => {
    expect(parseImageReference("busybox")).toEqual({ domain: "docker.io", path: "library/busybox" });
    expect(parseImageReference("org/app:1")).toEqual({ domain: "docker.io", path: "org/app", tag: "1" });
    expect(parseImageReference("127.0.0.1:5000/app:2")).toEqual({
      domain: "127.0.0.1:5000",
      path: "app",
      tag: "2",
    });
    expect(parseImageReference("localhost/app")).toEqual({ domain: "localhost", path: "app" });
    expect(parseImageReference("index.docker.io/redis")).toEqual({
      domain: "docker.io",
      path: "library/redis",
    });
    expect(parseImageReference(`mcr.microsoft.com/mssql/server:2022-latest@${digest}`)).toEqual({
      domain: "mcr.microsoft.com",
      path: "mssql/server",
      tag: "2022-latest",
      digest,
    });
  });

  it("prints ParseDockerRef's form: latest when untagged, no tag beside a digest", () => {
    expect(dockerReference("busybox")).toBe("docker.io/library/busybox:latest");
    expect(dockerReference("registry:5000/a/b:1.2")).toBe("registry:5000/a/b:1.2");
    expect(dockerReference(`busybox:1.36@${digest}`)).toBe(`docker.io/library/busybox@${digest}`);
    expect(pinnedReference("redis:7", digest)).toBe(`docker.io/library/redis:7@${digest}`);
  });

  it("reads a repo tag's familiar name and tag", () => {
    expect(splitRepoTag("docker.io/library/x:1")).toEqual({ repository: "x", tag: "1" });
    expect(splitRepoTag("127.0.0.1:5000/library/busybox:1.36")).toEqual({
      repository: "127.0.0.1:5000/library/busybox",
      tag: "1.36",
    });
  });

  it("pins the images of services that have one, asking once per service, and leaves build-only ones", async () => {
    const asked: string[] = [];
    const pinned = await pinImageDigests(
      {
        web: { image: "busybox:1.36" },
        app: { build: { context: "." } },
        done: { image: `redis@${digest}` },
      },
      async (reference) => {
        asked.push(reference);
        return digest;
      },
    );
    expect(asked).toEqual(["docker.io/library/busybox:1.36"]);
    expect(pinned).toEqual({
      web: { image: `docker.io/library/busybox:1.36@${digest}` },
      app: { build: { context: "." } },
      done: { image: `docker.io/library/redis@${digest}` },
    });
  });
});
