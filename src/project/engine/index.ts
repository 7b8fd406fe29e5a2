// The engine module's front door. dockerode is imported on first connection only (dynamic import),
// so a command such as `config` or `--help` never loads it.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { resolveEndpoint } from "./endpoint.js";
import type { Engine } from "./types.js";

export { describeEndpoint, type Endpoint, EndpointError, resolveEndpoint } from "./endpoint.js";
export { EngineError, EngineUnavailableError } from "./errors.js";
export type * from "./types.js";

function readOrNothing(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

let chosenContext: string | undefined;

/** The global --context flag: every later connection uses that docker context. */
export function useContext(name: string | undefined): void {
  chosenContext = name;
}

/** Connects to the engine of the current docker context (or DOCKER_HOST), negotiating the API version. */
export async function connectEngine(
  env: Readonly<Record<string, string | undefined>> = process.env,
  context: string | undefined = chosenContext,
): Promise<Engine> {
  const endpoint = resolveEndpoint({
    env,
    ...(context ? { context } : {}),
    configDir: env.DOCKER_CONFIG || join(homedir(), ".docker"),
    readFile: readOrNothing,
  });
  const { DockerEngine } = await import("./docker.js");
  return DockerEngine.connect(endpoint);
}
