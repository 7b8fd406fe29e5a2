// The engine module's front door. dockerode is imported on first connection only (dynamic import),
// so a command such as `config` or `--help` never loads it.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { httpTimeout, resolveEndpoint } from "./endpoint.js";
import {
  allRegistryAuths,
  type CredentialHelper,
  type Credentials,
  type DockerConfigFile,
  registryAuth,
} from "./registry-auth.js";
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
  const configDir = env.DOCKER_CONFIG || join(homedir(), ".docker");
  const endpoint = resolveEndpoint({
    env,
    ...(context ? { context } : {}),
    configDir,
    readFile: readOrNothing,
  });
  const timeout = httpTimeout(env);
  const [{ DockerEngine }, { setPingTimeout }] = await Promise.all([
    import("./docker.js"),
    import("./http.js"),
  ]);
  setPingTimeout(timeout);
  return DockerEngine.connect(endpoint, credentialsIn(configDir));
}

/** The registry logins a build's session hands to BuildKit (build/session/auth.ts): the ones pulls use. */
export function registryCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Credentials {
  return credentialsIn(env.DOCKER_CONFIG || join(homedir(), ".docker"));
}

/** The registry logins of docker's config directory, read on the first pull, push or build. */
function credentialsIn(configDir: string): Credentials {
  let config: DockerConfigFile | undefined;
  const read = (): DockerConfigFile => {
    if (!config) {
      try {
        config = JSON.parse(readOrNothing(join(configDir, "config.json")) ?? "{}") as DockerConfigFile;
      } catch {
        config = {}; // the endpoint's resolution already reported a config.json that is not JSON
      }
    }
    return config;
  };
  return {
    forImage: (image) => registryAuth(image, read(), runCredentialHelper),
    all: () => allRegistryAuths(read(), runCredentialHelper),
  };
}

/**
 * `docker-credential-<helper> get`, the registry on stdin. A helper that is missing or has nothing for the
 * registry leaves the pull anonymous (docker fails it instead: a public image then still pulls).
 */
const runCredentialHelper: CredentialHelper = (helper, server) => {
  const { spawnSync } = process.getBuiltinModule("node:child_process");
  const run = spawnSync(`docker-credential-${helper}`, ["get"], { input: server, encoding: "utf8" });
  if (run.error || run.status !== 0) return undefined;
  try {
    return JSON.parse(run.stdout) as { Username?: string; Secret?: string };
  } catch {
    return undefined;
  }
};
