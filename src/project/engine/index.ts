// The engine module's front door. dockerode is imported on first connection only (dynamic import),
// so a command such as `config` or `--help` never loads it.
import { resolveEndpoint } from "./endpoint.js";
import type { Engine } from "./types.js";

export { describeEndpoint, type Endpoint, resolveEndpoint } from "./endpoint.js";
export { EngineError, EngineUnavailableError } from "./errors.js";
export type * from "./types.js";

export async function connectEngine(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Engine> {
  const endpoint = resolveEndpoint(env);
  const { DockerEngine } = await import("./docker.js");
  return DockerEngine.connect(endpoint);
}
