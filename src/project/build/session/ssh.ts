// SSH agent forwarding for `RUN --mount=type=ssh[,id=…]`, from compose's `build.ssh` and `--ssh` (planBuild's
// BuildSsh: `default` is $SSH_AUTH_SOCK, `id=path` a socket or private key files). Served as
// moby.sshforward.v1.SSH: CheckAgent(CheckAgentRequest{ID = 1}) → CheckAgentResponse{} tells BuildKit the
// id is known; ForwardAgent is a stream of BytesMessage{data = 1} both ways carrying the agent protocol,
// its id in the call's `buildkit.ssh.id` metadata (`default` when absent).
//
// Like buildx's agent provider, the build gets a read-only agent: only "list keys" (11) and "sign" (13)
// reach the real one, every other request (add, remove, lock, extensions) answers SSH_AGENT_FAILURE (5).
// Key files are loaded into a private `ssh-agent` (OpenSSH's, started here, stopped by close()), where
// buildx holds them in-process; a key with a passphrase is refused with a message (no prompt).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytes as fieldBytes, ProtoWriter, readFields, text } from "../proto.js";
import type { BuildSsh } from "../request.js";
import { GrpcCode, type GrpcHandlers, GrpcStatusError, type GrpcStream } from "./types.js";

export const checkAgentMethod = "/moby.sshforward.v1.SSH/CheckAgent";
export const forwardAgentMethod = "/moby.sshforward.v1.SSH/ForwardAgent";
/** The metadata key ForwardAgent's id arrives under (BuildKit's sshforward.KeySSHID). */
export const sshIdMetadataKey = "buildkit.ssh.id";

/** Agent protocol (draft-miller-ssh-agent): message types a build may send. */
const REQUEST_IDENTITIES = 11;
const SIGN_REQUEST = 13;
const FAILURE = 5;
/** OpenSSH's own limit on an agent message. */
const maxAgentMessage = 256 * 1024;

/** A build.ssh entry that cannot be served; the message names the id and the path. */
export class SshAgentError extends Error {
  readonly exitCode = 1;
}

/** Splits agent protocol bytes (4 bytes big-endian length + the message) into whole messages. Pure. */
export class AgentFramer {
  private pending = Buffer.alloc(0);

  /** The whole messages (with their length prefix) the chunk completes. */
  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length === 0 || length > maxAgentMessage) {
        throw new GrpcStatusError(GrpcCode.InvalidArgument, `invalid ssh agent message of ${length} bytes`);
      }
      if (this.pending.length < 4 + length) break;
      out.push(this.pending.subarray(0, 4 + length));
      this.pending = this.pending.subarray(4 + length);
    }
    return out;
  }
}

/** Whether a read-only agent passes the request on (list keys, sign) or refuses it. */
export function agentRequestAllowed(message: Uint8Array): boolean {
  const type = message[4];
  return type === REQUEST_IDENTITIES || type === SIGN_REQUEST;
}

/** SSH_AGENT_FAILURE, framed. */
export const agentFailure = Buffer.from([0, 0, 0, 1, FAILURE]);

function bytesMessage(data: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(1, data).finish();
}

function bytesOf(message: Uint8Array): Uint8Array {
  for (const field of readFields(message)) if (field.no === 1) return fieldBytes(field);
  return new Uint8Array(0);
}

export interface SshAgents {
  handlers: GrpcHandlers;
  /** Stops the agents started for key files and removes their sockets. */
  close(): void;
}

/** What one id forwards to: an agent's socket. */
type AgentSource = { socket: string };

/**
 * The agents of a build: sockets are checked now, key files loaded into an agent of their own. Throws
 * SshAgentError for a missing path, a socket mixed with keys, or a key ssh-add refuses.
 */
export async function sshAgents(
  entries: readonly BuildSsh[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<SshAgents> {
  const sources = new Map<string, AgentSource>();
  const started: { child: ChildProcess; dir: string }[] = [];
  const close = () => {
    for (const { child, dir } of started.splice(0)) {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    for (const entry of entries) {
      const paths = entry.paths.length > 0 ? entry.paths : [env.SSH_AUTH_SOCK ?? ""];
      if (paths[0] === "") {
        throw new SshAgentError(
          `build.ssh: ${entry.id}: no ssh agent socket: SSH_AUTH_SOCK is not set (start ssh-agent, or give id=path)`,
        );
      }
      const sockets: string[] = [];
      const keys: string[] = [];
      for (const path of paths) {
        let socket: boolean;
        try {
          socket = statSync(path).isSocket();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          throw new SshAgentError(`build.ssh: ${entry.id}: cannot use ${path} (${code})`);
        }
        (socket ? sockets : keys).push(path);
      }
      if (sockets.length > 1 || (sockets.length === 1 && keys.length > 0)) {
        throw new SshAgentError(
          `build.ssh: ${entry.id}: give one agent socket or key files, not ${paths.join(",")}`,
        );
      }
      if (sockets[0]) sources.set(entry.id, { socket: sockets[0] });
      else {
        const agent = await keyAgent(entry.id, keys);
        started.push(agent);
        sources.set(entry.id, { socket: agent.socket });
      }
    }
  } catch (error) {
    close();
    throw error;
  }
  return { handlers: sshHandlers(sources), close };
}

/** CheckAgent and ForwardAgent over the agents by id. */
export function sshHandlers(sources: ReadonlyMap<string, AgentSource>): GrpcHandlers {
  const known = (id: string): AgentSource => {
    const source = sources.get(id);
    if (!source) throw new GrpcStatusError(GrpcCode.NotFound, `unset ssh forward key ${id}`);
    return source;
  };
  return new Map([
    [
      checkAgentMethod,
      {
        kind: "unary",
        async handle(request) {
          let id = "";
          for (const field of readFields(request)) if (field.no === 1) id = text(field);
          known(id || "default");
          return new Uint8Array(0);
        },
      },
    ],
    [
      forwardAgentMethod,
      {
        kind: "stream",
        async handle(stream, call) {
          const id = call.metadata[sshIdMetadataKey]?.[0] || "default";
          const socket = await connectAgent(known(id).socket, id);
          const abort = () => socket.destroy();
          call.signal.addEventListener("abort", abort, { once: true });
          try {
            await forward(stream, socket, id);
          } finally {
            call.signal.removeEventListener("abort", abort);
            socket.destroy();
          }
        },
      },
    ],
  ]);
}

function connectAgent(path: string, id: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new GrpcStatusError(
          GrpcCode.Unavailable,
          `ssh agent ${id}: cannot connect to ${path} (${error.code})`,
        ),
      ),
    );
  });
}

/** The agent's answers, whole, as they arrive; ends when the agent closes. */
async function* agentMessages(socket: Socket): AsyncGenerator<Buffer> {
  const framer = new AgentFramer();
  for await (const chunk of socket) for (const message of framer.push(chunk as Buffer)) yield message;
}

/** One request at a time: allowed ones go to the agent and its answer back, the others fail at once. */
async function forward(stream: GrpcStream, socket: Socket, id: string): Promise<void> {
  socket.on("error", () => {}); // reported by the reader below
  const answers = agentMessages(socket);
  const requests = new AgentFramer();
  try {
    for await (const message of stream.messages) {
      for (const request of requests.push(bytesOf(message))) {
        if (!agentRequestAllowed(request)) {
          await stream.send(bytesMessage(agentFailure));
          continue;
        }
        socket.write(request);
        const answer = await answers.next();
        if (answer.done) {
          throw new GrpcStatusError(GrpcCode.Unavailable, `ssh agent ${id} closed the connection`);
        }
        await stream.send(bytesMessage(answer.value));
      }
    }
  } finally {
    await answers.return(undefined);
  }
}

/** An OpenSSH agent of our own holding the key files (`ssh-agent -D`, then `ssh-add`). */
async function keyAgent(
  id: string,
  keys: string[],
): Promise<{ child: ChildProcess; dir: string; socket: string }> {
  const dir = mkdtempSync(join(tmpdir(), "tcompose-ssh-"));
  const socket = join(dir, "agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: ["ignore", "pipe", "ignore"] });
  const fail = (why: string) => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    return new SshAgentError(`build.ssh: ${id}: ${why}`);
  };
  // It prints SSH_AUTH_SOCK=… once it listens.
  const listening = await new Promise<string | undefined>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => resolve(`cannot run ssh-agent (${error.code})`));
    child.once("exit", () => resolve("ssh-agent exited"));
    child.stdout?.once("data", () => resolve(undefined));
  });
  child.stdout?.destroy();
  child.unref();
  if (listening) throw fail(`${listening}; key files need OpenSSH's ssh-agent (openssh-client)`);
  const added = await new Promise<string | undefined>((resolve) => {
    // Detached: no terminal to ask a passphrase on, so a protected key fails instead of prompting.
    const add = spawn("ssh-add", ["-q", ...keys], {
      env: { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS_REQUIRE: "never" },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    add.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    add.once("error", (error: NodeJS.ErrnoException) => resolve(`cannot run ssh-add (${error.code})`));
    add.once("close", (code) =>
      resolve(code === 0 ? undefined : stderr.trim().split("\n").pop() || `ssh-add exited with ${code}`),
    );
  });
  if (added) {
    throw fail(
      `cannot load ${keys.join(",")}: ${added} (a key with a passphrase: add it to an ssh-agent and give its socket)`,
    );
  }
  return { child, dir, socket };
}
