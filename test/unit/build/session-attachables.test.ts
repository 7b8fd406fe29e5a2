import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, ProtoWriter, readFields, text } from "../../../src/project/build/proto.js";
import {
  authHandlers,
  credentialsMethod,
  credentialsResponse,
  hostCredentials,
} from "../../../src/project/build/session/auth.js";
import { checkSecrets, getSecretMethod, secretHandlers } from "../../../src/project/build/session/secrets.js";
import {
  AgentFramer,
  agentFailure,
  agentRequestAllowed,
  checkAgentMethod,
  forwardAgentMethod,
  SshAgentError,
  sshAgents,
  sshHandlers,
} from "../../../src/project/build/session/ssh.js";
import {
  type GrpcCall,
  GrpcCode,
  type GrpcHandler,
  type GrpcHandlers,
} from "../../../src/project/build/session/types.js";
import { type DockerConfigFile, registryAuth } from "../../../src/project/engine/registry-auth.js";

const call = (method: string, metadata: Record<string, string[]> = {}): GrpcCall => ({
  method,
  metadata,
  signal: new AbortController().signal,
});

function unary(handlers: GrpcHandlers, method: string, request: Uint8Array): Promise<Uint8Array> {
  const handler = handlers.get(method) as GrpcHandler;
  if (handler.kind !== "unary") throw new Error(`${method} is not unary`);
  return handler.handle(request, call(method));
}

function fieldsOf(message: Uint8Array): Record<number, string> {
  return Object.fromEntries(readFields(message).map((f) => [f.no, text(f)]));
}

describe("secrets: GetSecret", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tcompose-secrets-"));
    writeFileSync(join(dir, "token"), "file value\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request = (id: string) => new ProtoWriter().string(1, id).finish();
  const handlers = () =>
    secretHandlers(
      [
        { id: "token", source: "tok", file: join(dir, "token") },
        { id: "api", source: "apikey", environment: "API_KEY" },
        { id: "gone", source: "lost", file: join(dir, "missing") },
        { id: "unset", source: "nothing", environment: "NOT_SET" },
      ],
      { API_KEY: "from env" },
    );

  it("answers a file's bytes and a variable's value by the id BuildKit asks for", async () => {
    const file = await unary(handlers(), getSecretMethod, request("token"));
    expect(readFields(file).map((f) => [f.no, Buffer.from(bytes(f)).toString()])).toEqual([
      [1, "file value\n"],
    ]);
    expect(fieldsOf(await unary(handlers(), getSecretMethod, request("api")))).toEqual({ 1: "from env" });
  });

  it("answers NotFound naming the secret for an unknown id, a missing file or an unset variable", async () => {
    await expect(unary(handlers(), getSecretMethod, request("tok"))).rejects.toMatchObject({
      code: GrpcCode.NotFound,
      message: expect.stringMatching(/^secret tok: /),
    });
    await expect(unary(handlers(), getSecretMethod, request("gone"))).rejects.toMatchObject({
      code: GrpcCode.NotFound,
      message: expect.stringMatching(/secret gone \(secrets\.lost\): cannot read .*missing \(ENOENT\)/),
    });
    await expect(unary(handlers(), getSecretMethod, request("unset"))).rejects.toMatchObject({
      code: GrpcCode.NotFound,
      message: "secret unset (secrets.nothing): environment variable NOT_SET is not set",
    });
  });
});

describe("secrets: checked before the build", () => {
  it("names the first secret whose value cannot be had", async () => {
    const ok = { id: "api", source: "apikey", environment: "API_KEY" };
    await expect(checkSecrets([ok], { API_KEY: "" })).resolves.toBeUndefined();
    await expect(
      checkSecrets([ok, { id: "gone", source: "lost", file: "/nonexistent/secret.txt" }], { API_KEY: "x" }),
    ).rejects.toThrow("secret gone (secrets.lost): cannot read /nonexistent/secret.txt (ENOENT)");
    await expect(checkSecrets([ok], {})).rejects.toThrow(
      "secret api (secrets.apikey): environment variable API_KEY is not set",
    );
  });
});

describe("auth: Credentials from the registry logins", () => {
  const config: DockerConfigFile = {
    auths: {
      "https://index.docker.io/v1/": { auth: Buffer.from("hubuser:hubpass").toString("base64") },
      "localhost:5000": { identitytoken: "tok-123" },
    },
  };
  const credentials = {
    forImage: (image: string) => registryAuth(image, config, () => undefined),
  };
  const ask = async (host: string) =>
    fieldsOf(
      await unary(authHandlers(credentials), credentialsMethod, new ProtoWriter().string(1, host).finish()),
    );

  it("maps BuildKit's Docker Hub host to the hub login", async () => {
    expect(hostCredentials(credentials, "registry-1.docker.io")?.username).toBe("hubuser");
    expect(await ask("registry-1.docker.io")).toEqual({ 1: "hubuser", 2: "hubpass" });
  });

  it("sends an identity token as the secret alone, and nothing for a registry without a login", async () => {
    expect(await ask("localhost:5000")).toEqual({ 2: "tok-123" });
    expect(await ask("ghcr.io")).toEqual({});
    expect(credentialsResponse(undefined).length).toBe(0);
  });
});

describe("ssh: the read-only agent protocol", () => {
  const frame = (type: number, body: number[] = []) => Buffer.from([0, 0, 0, body.length + 1, type, ...body]);

  it("frames agent messages cut anywhere", () => {
    const wire = Buffer.concat([frame(11), frame(13, [1, 2, 3]), frame(19)]);
    const framer = new AgentFramer();
    const out = [...wire].flatMap((b) => framer.push(Buffer.from([b])));
    expect(out).toEqual([frame(11), frame(13, [1, 2, 3]), frame(19)]);
    expect(() => new AgentFramer().push(Buffer.from([0xff, 0, 0, 0]))).toThrow(/invalid ssh agent message/);
  });

  it("lets only list-keys and sign through", () => {
    expect([11, 13, 17, 18, 19, 22, 23, 25, 27].filter((t) => agentRequestAllowed(frame(t)))).toEqual([
      11, 13,
    ]);
  });

  describe("ForwardAgent against an agent socket", () => {
    let dir = "";
    let agent: Server;
    const received: Buffer[] = [];
    // Answers list-keys with an IDENTITIES_ANSWER (12) of no keys, in the order asked.
    const identities = frame(12, [0, 0, 0, 0]);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "tcompose-ssh-"));
      agent = createServer((socket) => {
        const framer = new AgentFramer();
        socket.on("data", (chunk) => {
          for (const request of framer.push(chunk)) {
            received.push(request);
            socket.write(identities);
          }
        });
      });
      await new Promise<void>((resolve) => agent.listen(join(dir, "agent.sock"), resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => agent.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it("knows the configured ids (CheckAgent) and refuses others", async () => {
      const handlers = sshHandlers(new Map([["deploy", { socket: join(dir, "agent.sock") }]]));
      const ask = (id: string) => unary(handlers, checkAgentMethod, new ProtoWriter().string(1, id).finish());
      await expect(ask("deploy")).resolves.toEqual(new Uint8Array(0));
      await expect(ask("default")).rejects.toMatchObject({ code: GrpcCode.NotFound });
    });

    it("passes list-keys to the agent and fails the others itself, answering in order", async () => {
      const handlers = sshHandlers(new Map([["deploy", { socket: join(dir, "agent.sock") }]]));
      const handler = handlers.get(forwardAgentMethod) as GrpcHandler;
      if (handler.kind !== "stream") throw new Error("ForwardAgent is a stream");
      const message = (data: Buffer) => new ProtoWriter().bytes(1, data).finish();
      const both = Buffer.concat([frame(11), frame(19)]);
      const sent: Buffer[] = [];
      await handler.handle(
        {
          messages: (async function* () {
            // list-keys and remove-all in one message, then list-keys cut in two
            yield message(both);
            yield message(frame(11).subarray(0, 2));
            yield message(frame(11).subarray(2));
          })(),
          send: async (m) => {
            for (const one of Array.isArray(m) ? m : [m])
              sent.push(Buffer.from(bytes(readFields(one)[0] as never)));
          },
        },
        call(forwardAgentMethod, { "buildkit.ssh.id": ["deploy"] }),
      );
      expect(sent).toEqual([identities, agentFailure, identities]);
      expect(received).toEqual([frame(11), frame(11)]);
    });
  });

  it("refuses, before the build, an agent that cannot be used, naming the id", async () => {
    await expect(sshAgents([{ id: "default", paths: [] }], {})).rejects.toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^build\.ssh: default: .*SSH_AUTH_SOCK/) }),
    );
    await expect(sshAgents([{ id: "deploy", paths: ["/nonexistent/agent.sock"] }], {})).rejects.toThrow(
      new SshAgentError("build.ssh: deploy: cannot use /nonexistent/agent.sock (ENOENT)"),
    );
  });
});
