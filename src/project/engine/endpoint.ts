// Where the engine is, decided from the environment alone (pure, so it is unit-tested without an engine).
// Docker contexts (~/.docker/config.json, --context) come with the `up` work; DOCKER_HOST wins over them.

export type Endpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: boolean; certPath?: string };

export const defaultSocketPath = "/var/run/docker.sock";

export function describeEndpoint(e: Endpoint): string {
  return e.kind === "unix" ? `unix://${e.socketPath}` : `${e.tls ? "https" : "tcp"}://${e.host}:${e.port}`;
}

/** The endpoint named by DOCKER_HOST (and DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), or the default socket. */
export function resolveEndpoint(env: Readonly<Record<string, string | undefined>>): Endpoint {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { kind: "unix", socketPath: defaultSocketPath };
  if (host.startsWith("unix://")) return { kind: "unix", socketPath: host.slice("unix://".length) };
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (!tcp?.[1]) {
    throw new Error(
      `DOCKER_HOST=${host} is not an address tcompose understands (unix://PATH or tcp://HOST:PORT)`,
    );
  }
  // Like the docker CLI: any non-empty DOCKER_TLS_VERIFY turns TLS on; the default ports follow it.
  const tls = Boolean(env.DOCKER_TLS_VERIFY) || host.startsWith("https://");
  const port = tcp[2] ? Number(tcp[2]) : tls ? 2376 : 2375;
  const certPath = env.DOCKER_CERT_PATH || undefined;
  return { kind: "tcp", host: tcp[1].replace(/^\[|\]$/g, ""), port, tls, ...(certPath ? { certPath } : {}) };
}
