// The version is injected by the bundler (scripts/build.mjs) from package.json; tests that import the
// sources directly see the development marker.
import { composeVersion } from "../project/labels.js";
import { pluginEnvVar } from "./docker-plugin.js";

declare const TCOMPOSE_VERSION: string | undefined;

export const version: string = typeof TCOMPOSE_VERSION === "string" ? TCOMPOSE_VERSION : "0.0.0-dev";

/**
 * What `version` reports: the Docker Compose release tcompose follows, with tcompose's own version as semver
 * build metadata (`2.26.1+tcompose.0.1.0`). Tools read the leading version to choose behaviour (the
 * devcontainers CLI names its project `<folder>_devcontainer` from 1.21 on, `<folder>devcontainer` before),
 * so a project keeps its name whichever tool drives it.
 */
export const reportedVersion = `${composeVersion}+tcompose.${version}`;

/** `version`'s sentence, also the answer to `-v`/`--version` before any command. */
export const versionSentence = `tcompose version ${reportedVersion}\n`;

/**
 * The output of a command line whose whole answer is the version (`--version`, `-v`, `version`,
 * `version --short`, run directly, not as docker's plugin), else undefined. The launcher answers these
 * without loading the CLI (dist/tcompose.cjs: the floor of Node's start-up and nothing else); the CLI gives
 * the same text for them and answers every other form.
 */
export function quickVersion(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (env[pluginEnvVar]) return undefined;
  const line = args.join(" ");
  if (line === "--version" || line === "-v" || line === "version") return versionSentence;
  if (line === "version --short") return `${reportedVersion}\n`;
  return undefined;
}
