import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildSession, openBuildSession } from "../../src/project/build/session/index.js";
import { secretHandlers } from "../../src/project/build/session/secrets.js";
import { type SshAgents, sshAgents } from "../../src/project/build/session/ssh.js";
import { type TarEntry, tarStream } from "../../src/project/build/tar.js";
import { connectEngine, type Engine, resolveEndpoint } from "../../src/project/engine/index.js";
import { uniqueProjectName } from "../helpers/project.js";

// A BuildKit build (POST /build?version=2&session=…) against the real engine, its secrets and ssh agents
// served by our session: one build checks them all, then the image's files are read back. The build goes
// over plain HTTP: dockerode's buildImage opens a session of its own for version=2 and replaces `session`.
const sshAdd = "/usr/bin/ssh-add";

function file(path: string, data: string | Buffer, mode = 0o644): TarEntry {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  return { type: "file", path, mode, mtime: 0, size: bytes.length, source: { kind: "bytes", data: bytes } };
}

/** POST /build with the tar as body: the image id (aux moby.image.id), or the first error's message. */
function postBuild(
  engine: Engine,
  query: Record<string, string>,
  context: NodeJS.ReadableStream,
): Promise<string> {
  const endpoint = resolveEndpoint(process.env);
  if (endpoint.kind !== "unix") throw new Error("this test talks to a unix socket engine");
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        socketPath: endpoint.socketPath,
        method: "POST",
        path: `/v${engine.apiVersion}/build?${new URLSearchParams(query)}`,
        headers: { "Content-Type": "application/x-tar" },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        response.on("end", () => {
          const lines = text.split("\n").filter((l) => l.trim() !== "");
          const messages = lines.map(
            (l) => JSON.parse(l) as { id?: string; error?: string; aux?: { ID?: string } },
          );
          const failed =
            messages.find((m) => m.error) ?? (response.statusCode === 200 ? undefined : { error: text });
          if (failed?.error) reject(new Error(failed.error));
          else resolve(messages.find((m) => m.id === "moby.image.id")?.aux?.ID ?? "");
        });
      },
    );
    request.on("error", reject);
    context.pipe(request);
  });
}

async function startAgent(socket: string): Promise<ChildProcess> {
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise((resolve, reject) => {
    child.stdout?.once("data", resolve);
    child.once("error", reject);
  });
  child.stdout?.destroy();
  return child;
}

describe("BuildKit session against the real engine", () => {
  let engine: Engine;
  let dir = "";
  let agent: ChildProcess | undefined;
  let agents: SshAgents | undefined;
  let session: BuildSession | undefined;
  const tag = `${uniqueProjectName("session")}:latest`;
  let built = "";

  beforeAll(async () => {
    expect(existsSync(sshAdd), "openssh-client's ssh-add is needed (apt-get install openssh-client)").toBe(
      true,
    );
    engine = await connectEngine();
    dir = mkdtempSync(join(tmpdir(), "tcompose-session-"));
    writeFileSync(join(dir, "token.txt"), "s3cret value\n");
    const socket = join(dir, "agent.sock");
    agent = await startAgent(socket);
    const keygen = (name: string, comment: string) =>
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", join(dir, name)]);
    keygen("agent-key", "key-in-the-agent");
    keygen("file-key", "key-from-a-file");
    execFileSync("ssh-add", ["-q", join(dir, "agent-key")], {
      env: { ...process.env, SSH_AUTH_SOCK: socket },
    });

    agents = await sshAgents(
      [
        { id: "default", paths: [] },
        { id: "keys", paths: [join(dir, "file-key")] },
      ],
      { SSH_AUTH_SOCK: socket },
    );
    const secrets = secretHandlers(
      [
        { id: "token", source: "tok", file: join(dir, "token.txt") },
        { id: "fromenv", source: "envsecret", environment: "SESSION_TEST_VALUE" },
      ],
      { SESSION_TEST_VALUE: "from the environment" },
    );
    session = await openBuildSession(engine, {
      name: "session-test",
      sharedKey: tag,
      handlers: new Map([...secrets, ...agents.handlers]),
    });

    const dockerfile = [
      "FROM python:3.11-slim-bookworm",
      "COPY ssh-add /usr/local/bin/ssh-add",
      'RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = "s3cret value" && cp /run/secrets/token /token-copy',
      "RUN --mount=type=secret,id=fromenv cp /run/secrets/fromenv /env-copy",
      "RUN --mount=type=ssh ssh-add -l > /ssh-default",
      'RUN --mount=type=ssh,id=keys ssh-add -l > /ssh-keys && { ssh-add -D 2>&1; echo "remove: $?"; } >> /ssh-keys',
      "",
    ].join("\n");
    const context = tarStream([file("Dockerfile", dockerfile), file("ssh-add", readFileSync(sshAdd), 0o755)]);
    built = await postBuild(engine, { version: "2", session: session.id, t: tag }, context);
  });

  afterAll(async () => {
    await session?.close();
    agents?.close();
    agent?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await engine?.removeImage(tag, { force: true }).catch(() => {});
  });

  const read = (path: string) =>
    execFileSync("docker", ["run", "--rm", "--entrypoint", "cat", tag, path], { encoding: "utf8" });

  it("hands the secrets by id, from a file and from the environment", () => {
    expect(built).toMatch(/^sha256:/);
    expect(read("/token-copy")).toBe("s3cret value\n");
    expect(read("/env-copy")).toBe("from the environment");
  });

  it("forwards the default agent and a key file's agent, read-only", () => {
    expect(read("/ssh-default")).toMatch(/ key-in-the-agent \(ED25519\)\n$/);
    const keys = read("/ssh-keys");
    expect(keys).toMatch(/ key-from-a-file \(ED25519\)\n/);
    expect(keys).not.toMatch(/key-in-the-agent/);
    expect(keys).toMatch(/remove: 1\n$/);
  });

  it("fails a build whose secret is missing, naming it", async () => {
    const context = tarStream([
      file(
        "Dockerfile",
        "FROM busybox:1.36\nRUN --mount=type=secret,id=absent,required=true cat /run/secrets/absent\n",
      ),
    ]);
    const failure = await postBuild(engine, { version: "2", session: session?.id ?? "" }, context).then(
      () => "built",
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/absent/);
  });
});
