// tcompose as the docker CLI plugin `docker-compose` (in a `cli-plugins` directory: `$DOCKER_CONFIG/cli-plugins`,
// `~/.docker/cli-plugins`, `/usr/libexec/docker/cli-plugins` …), so that `docker compose …` runs it. The docker
// CLI's plugin protocol, as observed with docker 28.2:
//   - it asks for metadata: `docker-compose docker-cli-plugin-metadata`, expecting a JSON object with
//     SchemaVersion "0.1.0" and a non-empty Vendor;
//   - it runs the plugin with its own arguments as typed (`docker -H X compose up -d` runs
//     `docker-compose -H X compose up -d`), DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set, and returns its exit code.
// docker's global flags before `compose` become what tcompose reads: the environment or its own --context.

export const pluginMetadataCommand = "docker-cli-plugin-metadata";

/** The environment variable the docker CLI sets when it runs a plugin. */
export const pluginEnvVar = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND";

export function pluginMetadata(version: string): string {
  return `${JSON.stringify({
    SchemaVersion: "0.1.0",
    Vendor: "tcompose",
    Version: version,
    ShortDescription: "Docker Compose (tcompose)",
  })}\n`;
}

export type PluginCall =
  /** Not run by the docker CLI as a plugin: run argv as it is. */
  | { kind: "direct" }
  | { kind: "metadata" }
  /** tcompose's own arguments, and environment variables to set first. */
  | { kind: "run"; argv: string[]; env: Record<string, string> }
  | { kind: "error"; message: string };

/** docker's global flags that take a value, and the environment variable each becomes (or none). */
const valued: Record<string, string | undefined> = {
  "--config": "DOCKER_CONFIG",
  "-H": "DOCKER_HOST",
  "--host": "DOCKER_HOST",
  "-c": undefined,
  "--context": undefined,
  "-l": undefined,
  "--log-level": undefined,
};
const contextFlags = new Set(["-c", "--context"]);
/** docker's flags without a value that mean nothing to tcompose, or an environment variable set to 1. */
const switches: Record<string, string | undefined> = {
  "-D": undefined,
  "--debug": undefined,
  "--tlsverify": "DOCKER_TLS_VERIFY",
};

/** docker's TLS file flags: tcompose reads DOCKER_CERT_PATH's ca.pem, cert.pem and key.pem only. */
const unsupported = new Set(["--tls", "--tlscacert", "--tlscert", "--tlskey"]);

/** How tcompose was called: directly, or by the docker CLI as its `compose` plugin. */
export function pluginCall(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): PluginCall {
  if (argv.length === 1 && argv[0] === pluginMetadataCommand) return { kind: "metadata" };
  if (!env[pluginEnvVar]) return { kind: "direct" };
  const setEnv: Record<string, string> = {};
  let context: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "compose") {
      const rest = argv.slice(i + 1);
      return {
        kind: "run",
        argv: context === undefined ? rest : ["--context", context, ...rest],
        env: setEnv,
      };
    }
    if (!arg.startsWith("-")) break;
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag in switches) {
      const name = switches[flag];
      if (name) setEnv[name] = "1";
      continue;
    }
    if (unsupported.has(flag)) {
      return {
        kind: "error",
        message: `docker flag ${flag} is not supported by tcompose as a docker plugin`,
      };
    }
    if (!(flag in valued)) break;
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) return { kind: "error", message: `docker flag ${flag} needs a value` };
    if (contextFlags.has(flag)) context = value;
    const name = valued[flag];
    if (name) setEnv[name] = value;
  }
  // The variable inherited but not run as the docker CLI runs a plugin (no docker flags, then `compose`).
  return { kind: "direct" };
}
