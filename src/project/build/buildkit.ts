// One service's build with the engine's BuildKit: POST /build?version=2. The progress arrives as
// moby.buildkit.trace messages, printed by one BuildkitPrinter shared by the services built together (one
// `#N` numbering, as the reference prints). A failure names the service, the step, its exit code and the
// step's last output lines, after the reference's `------` summary block.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Credentials } from "../engine/registry-auth.js";
import type { Engine, JsonMessage } from "../engine/types.js";
import { type Progress, silentProgress } from "../progress.js";
import { type BuildkitFailure, BuildkitPrinter, vertexEvent } from "./buildkit-output.js";
import { checkDockerfile } from "./context.js";
import { BuildError, type BuildPlan, failedBuildMessage } from "./request.js";
import { authHandlers } from "./session/auth.js";
import { contextSharedKey, filesyncHandlers } from "./session/filesync.js";
import { type BuildSession, openBuildSession } from "./session/index.js";
import { BuildSecretError, checkSecrets, secretHandlers } from "./session/secrets.js";
import { SshAgentError, type SshAgents, sshAgents } from "./session/ssh.js";
import { type BuildStatus, decodeStatus, TRACE_ID } from "./trace.js";

/**
 * What the builds of one command share: one printer (one `#N` numbering). Its lines go to `out` with
 * --progress plain (the reference prints them on stdout), nowhere with tty (the live view shows each
 * service's current step), json (each step is an event) or quiet.
 */
export class BuildkitOutput {
  readonly printer: BuildkitPrinter;

  constructor(
    readonly progress: Progress = silentProgress,
    out?: (line: string) => void,
  ) {
    this.printer = new BuildkitPrinter((line) => out?.(line));
  }

  /** A trace message of the service's build: printed, and shown in the live view or as events. */
  trace(service: string, aux: string): void {
    let status: BuildStatus;
    try {
      status = decodeStatus(aux);
    } catch {
      return; // a message this printer cannot read is left out, as a progress line would be
    }
    this.printer.update(service, status);
    if (this.progress.mode === "tty") {
      const current = this.printer.current(service);
      if (current) {
        this.progress.event({
          id: service,
          text: "Building",
          status: "working",
          textAfterId: true,
          details: current,
        });
      }
    } else if (this.progress.mode === "json") {
      for (const vertex of status.vertexes) this.progress.event(vertexEvent(service, vertex));
    }
  }
}

/** The error of a failed build: the service, the failed step and its exit code, the last lines of its output. */
export function buildkitFailureMessage(
  service: string,
  failure: BuildkitFailure | undefined,
  engineMessage: string,
  /** The Dockerfile, named when no step failed (the frontend refused the file: its syntax, a target …). */
  dockerfile?: string,
): string {
  const code = failure?.exitCode ?? /exit code: (\d+)/.exec(engineMessage)?.[1];
  const line = /dockerfile parse error line (\d+)/.exec(engineMessage)?.[1];
  const file = dockerfile ? ` (${dockerfile}${line ? `:${line}` : ""})` : "";
  const where = failure?.step ? ` at step ${failure.step}` : file;
  return failedBuildMessage(service, where, code, engineMessage, failure?.logs);
}

/** What every BuildKit build of a command needs besides its plan. */
export interface BuildkitShared {
  output: BuildkitOutput;
  /** Where `environment:` secrets and `default` SSH agents are looked up. */
  environment: Readonly<Record<string, string | undefined>>;
  /** The registry logins BuildKit asks for (private FROM images). */
  credentials: Pick<Credentials, "forImage">;
}

/** Where BuildKit reads the Dockerfile: a directory served as "dockerfile" and the file's name in it. */
interface DockerfileSource {
  dir: string;
  name: string;
  /** A directory made for dockerfile_inline, removed after the build. */
  temporary?: boolean;
}

async function dockerfileSource(plan: BuildPlan): Promise<DockerfileSource> {
  const added = plan.addedDockerfile;
  if (added?.text !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), "tcompose-dockerfile-"));
    await writeFile(join(dir, "Dockerfile"), added.text);
    return { dir, name: "Dockerfile", temporary: true };
  }
  if (added?.file) return { dir: dirname(added.file), name: basename(added.file) };
  // In the context: found as the engine would find it (links resolved inside the context), or refused.
  await checkDockerfile(plan);
  const path = join(plan.contextDir, ...plan.dockerfile.split("/"));
  return { dir: dirname(path), name: basename(path) };
}

/**
 * The session of one build: the context and the Dockerfile's directory (fsutil DiffCopy), registry
 * logins, the build's secrets and SSH agents.
 */
async function startSession(
  engine: Engine,
  plan: BuildPlan,
  dockerfile: DockerfileSource,
  shared: BuildkitShared,
): Promise<BuildSession> {
  await checkSecrets(plan.secrets, shared.environment);
  let agents: SshAgents | undefined;
  try {
    agents = await sshAgents(plan.ssh, shared.environment);
    const handlers = new Map([
      ...filesyncHandlers({
        context: { dir: plan.contextDir, resetOwner: true },
        dockerfile: { dir: dockerfile.dir },
      }),
      ...authHandlers(shared.credentials),
      ...secretHandlers(plan.secrets, shared.environment),
      ...agents.handlers,
    ]);
    const session = await openBuildSession(engine, {
      name: basename(plan.contextDir),
      sharedKey: contextSharedKey(plan.contextDir),
      handlers,
    });
    const stopAgents = agents;
    return {
      ...session,
      close: async () => {
        try {
          await session.close();
        } finally {
          stopAgents.close();
        }
      },
    };
  } catch (error) {
    agents?.close();
    throw error;
  }
}

/**
 * Builds the plan's image; resolves with its id. The context goes through the build's session, so a
 * rebuild sends only what changed (the engine keeps a copy per context directory).
 */
export async function buildWithBuildKit(
  engine: Engine,
  plan: BuildPlan,
  shared: BuildkitShared,
): Promise<string> {
  const { output } = shared;
  let dockerfile: DockerfileSource | undefined;
  let session: BuildSession | undefined;
  try {
    dockerfile = await dockerfileSource(plan);
    session = await startSession(engine, plan, dockerfile, shared);
  } catch (error) {
    if (dockerfile?.temporary) await rm(dockerfile.dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof BuildSecretError || error instanceof SshAgentError ? 1 : 17;
    throw new BuildError(`failed to build service "${plan.service}": ${message}`, code);
  }
  let failure: string | undefined;
  const onMessage = (m: JsonMessage) => {
    if (m.id === TRACE_ID && typeof m.aux === "string") output.trace(plan.service, m.aux);
    else if (m.error) failure ??= m.errorDetail?.message ?? m.error;
  };
  const query = {
    ...plan.query,
    remote: "client-session",
    dockerfile: dockerfile.name,
    session: session.id,
    buildid: randomUUID(),
  };
  try {
    return await engine.buildImage({ query }, onMessage);
  } catch (error) {
    const message = failure ?? (error instanceof Error ? error.message : String(error));
    const named =
      plan.addedDockerfile?.text !== undefined ? "dockerfile_inline" : join(dockerfile.dir, dockerfile.name);
    throw new BuildError(
      buildkitFailureMessage(plan.service, output.printer.failure(plan.service), message, named),
      17,
    );
  } finally {
    await session.close();
    if (dockerfile.temporary) await rm(dockerfile.dir, { recursive: true, force: true });
  }
}
