import { describe, expect, it } from "vitest";
import {
  allRegistryAuths,
  type CredentialHelper,
  registryAuth,
} from "../../../src/project/engine/registry-auth.js";

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
const noHelper: CredentialHelper = () => {
  throw new Error("no helper should run");
};

describe("registryAuth (docker's config.json and credential helpers)", () => {
  it("reads a login from auths: Docker Hub under its index URL, other registries under host[:port]", () => {
    const config = {
      auths: {
        "https://index.docker.io/v1/": { auth: basic("hub", "s3cret") },
        "127.0.0.1:5001": { auth: basic("me", "pa:ss") },
      },
    };
    expect(registryAuth("busybox:1.36", config, noHelper)).toEqual({
      username: "hub",
      password: "s3cret",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(registryAuth("org/app", config, noHelper)?.username).toBe("hub");
    expect(registryAuth("127.0.0.1:5001/team/app:1", config, noHelper)).toEqual({
      username: "me",
      password: "pa:ss",
      serveraddress: "127.0.0.1:5001",
    });
    expect(registryAuth("ghcr.io/org/app", config, noHelper)).toBeUndefined();
  });

  it("matches a key written as a URL by its host, and keeps identity tokens", () => {
    const config = {
      auths: {
        "https://registry.example.com/v2/": { auth: basic("u", "p") },
        "tokens.example.com": { identitytoken: "tok" },
      },
    };
    expect(registryAuth("registry.example.com/app", config, noHelper)).toEqual({
      username: "u",
      password: "p",
      serveraddress: "registry.example.com",
    });
    expect(registryAuth("tokens.example.com/app", config, noHelper)).toEqual({
      identitytoken: "tok",
      serveraddress: "tokens.example.com",
    });
  });

  it("asks the registry's credential helper first, then the default store; <token> means an identity token", () => {
    const asked: string[] = [];
    const helper: CredentialHelper = (name, server) => {
      asked.push(`${name} ${server}`);
      if (server === "gcr.io") return { Username: "<token>", Secret: "id-token" };
      if (server === "https://index.docker.io/v1/") return { Username: "hub", Secret: "pw" };
      return undefined;
    };
    const config = {
      credsStore: "desktop",
      credHelpers: { "gcr.io": "gcloud" },
      auths: { "https://index.docker.io/v1/": {} },
    };
    expect(registryAuth("gcr.io/p/app", config, helper)).toEqual({
      identitytoken: "id-token",
      serveraddress: "gcr.io",
    });
    expect(registryAuth("busybox", config, helper)).toEqual({
      username: "hub",
      password: "pw",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(registryAuth("quay.io/x/y", config, helper)).toBeUndefined();
    expect(asked).toEqual(["gcloud gcr.io", "desktop https://index.docker.io/v1/", "desktop quay.io"]);
  });

  it("has nothing without a login", () => {
    expect(registryAuth("busybox", {}, noHelper)).toBeUndefined();
    expect(
      registryAuth("busybox", { auths: { "https://index.docker.io/v1/": {} } }, noHelper),
    ).toBeUndefined();
  });

  it("gives a build every login: the auths entries and the registries with their own helper", () => {
    const helper: CredentialHelper = (name, server) =>
      name === "gcloud" ? { Username: "<token>", Secret: `t-${server}` } : undefined;
    const config = {
      auths: { "127.0.0.1:5001": { auth: basic("me", "pw") }, "empty.example.com": {} },
      credHelpers: { "gcr.io": "gcloud" },
    };
    expect(allRegistryAuths(config, helper)).toEqual({
      "127.0.0.1:5001": { username: "me", password: "pw", serveraddress: "127.0.0.1:5001" },
      "gcr.io": { identitytoken: "t-gcr.io", serveraddress: "gcr.io" },
    });
    expect(allRegistryAuths({}, noHelper)).toEqual({});
  });
});
