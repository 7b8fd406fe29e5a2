// Where the engine is, decided like the docker CLI does (pure: the environment and a file reader come in,
// so it is unit-tested without an engine or a home directory):
//   --context NAME  >  DOCKER_HOST  >  DOCKER_CONTEXT  >  currentContext of ~/.docker/config.json  >  default
// A context other than "default" is read from ~/.docker/contexts/meta/<sha256(name)>/meta.json
// (Endpoints.docker.Host, SkipTLSVerify) with its TLS files in ~/.docker/contexts/tls/<sha256(name)>/docker/.

export type Endpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: boolean; certPath?: string; skipVerify?: boolean }
  | { kind: "ssh"; host: string; port: number; username?: string };

export const defaultSocketPath = "/var/run/docker.sock";

/** COMPOSE_HTTP_TIMEOUT's default, in seconds (Compose v1's). */
export const defaultHttpTimeout = 60;

export function describeEndpoint(e: Endpoint): string {
  if (e.kind === "unix") return `unix://${e.socketPath}`;
  if (e.kind === "ssh") return `ssh://${e.username ? `${e.username}@` : ""}${e.host}:${e.port}`;
  return `${e.tls ? "https" : "tcp"}://${e.host}:${e.port}`;
}

export class EndpointError extends Error {
  readonly exitCode = 1;
}

export interface EndpointInput {
  env: Readonly<Record<string, string | undefined>>;
  /** --context */
  context?: string;
  /** The docker configuration directory: DOCKER_CONFIG or ~/.docker. */
  configDir?: string;
  /** Reads a file's text, undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
}

/** The endpoint named by a host address (DOCKER_HOST's syntax). */
export function parseHost(
  host: string,
  tlsVerify: boolean,
  certPath?: string,
  where = "DOCKER_HOST",
): Endpoint {
  if (host.startsWith("unix://")) return { kind: "unix", socketPath: host.slice("unix://".length) };
  const ssh = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (ssh?.[2]) {
    return {
      kind: "ssh",
      host: ssh[2].replace(/^\[|\]$/g, ""),
      port: ssh[3] ? Number(ssh[3]) : 22,
      ...(ssh[1] ? { username: ssh[1] } : {}),
    };
  }
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (!tcp?.[1]) {
    throw new EndpointError(
      `${where}=${host} is not an address tcompose understands (unix://PATH, tcp://HOST:PORT or ssh://[USER@]HOST)`,
    );
  }
  // Like the docker CLI: TLS follows DOCKER_TLS_VERIFY (or https://); the default ports follow TLS.
  const tls = tlsVerify || host.startsWith("https://");
  const port = tcp[2] ? Number(tcp[2]) : tls ? 2376 : 2375;
  return { kind: "tcp", host: tcp[1].replace(/^\[|\]$/g, ""), port, tls, ...(certPath ? { certPath } : {}) };
}

/** The name of the context in use, as the docker CLI resolves it. */
export function contextName(input: EndpointInput): string {
  if (input.context) return input.context;
  if (input.env.DOCKER_HOST?.trim()) return "default";
  if (input.env.DOCKER_CONTEXT) return input.env.DOCKER_CONTEXT;
  const configText = input.configDir ? input.readFile?.(`${input.configDir}/config.json`) : undefined;
  if (configText) {
    try {
      const config = JSON.parse(configText) as { currentContext?: string };
      if (config.currentContext) return config.currentContext;
    } catch {
      throw new EndpointError(`${input.configDir}/config.json is not valid JSON`);
    }
  }
  return "default";
}

export function resolveEndpoint(
  envOrInput: Readonly<Record<string, string | undefined>> | EndpointInput,
): Endpoint {
  const input: EndpointInput =
    "env" in envOrInput && typeof envOrInput.env === "object"
      ? (envOrInput as EndpointInput)
      : { env: envOrInput as Readonly<Record<string, string | undefined>> };
  const { env } = input;
  const name = contextName(input);
  if (name === "default") {
    const host = env.DOCKER_HOST?.trim();
    if (!host) return { kind: "unix", socketPath: defaultSocketPath };
    return parseHost(host, Boolean(env.DOCKER_TLS_VERIFY), env.DOCKER_CERT_PATH || undefined);
  }
  // crypto loads only when a context is named (process.getBuiltinModule: no start-up cost otherwise).
  const id = process.getBuiltinModule("node:crypto").createHash("sha256").update(name).digest("hex");
  const metaPath = `${input.configDir}/contexts/meta/${id}/meta.json`;
  const text = input.configDir ? input.readFile?.(metaPath) : undefined;
  if (!text) throw new EndpointError(`context "${name}" does not exist (looked for ${metaPath})`);
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(text);
  } catch {
    throw new EndpointError(`context "${name}": ${metaPath} is not valid JSON`);
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) throw new EndpointError(`context "${name}" has no docker endpoint`);
  const tlsDir = `${input.configDir}/contexts/tls/${id}/docker`;
  const hasTls = input.readFile?.(`${tlsDir}/ca.pem`) !== undefined;
  const endpoint = parseHost(docker.Host, hasTls, hasTls ? tlsDir : undefined, `context "${name}" host`);
  if (endpoint.kind === "tcp" && docker.SkipTLSVerify) endpoint.skipVerify = true;
  return endpoint;
}

/**
 * The seconds the engine may take to answer the first request: COMPOSE_HTTP_TIMEOUT (Compose v1's variable,
 * whose default, 60, is kept; Compose v2 ignores it and waits forever). Only the ping is limited: streams
 * (logs -f, events, attach, builds, pulls) may rightly be silent for longer.
 */
export function httpTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.COMPOSE_HTTP_TIMEOUT?.trim();
  if (!text) return defaultHttpTimeout;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0)) {
    throw new EndpointError(`COMPOSE_HTTP_TIMEOUT=${text} is not a number of seconds greater than 0`);
  }
  return seconds;
}
