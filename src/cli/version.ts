// The version is injected by the bundler (scripts/build.mjs) from package.json; tests that import the
// sources directly see the development marker.
import { composeVersion } from "../project/labels.js";

declare const TCOMPOSE_VERSION: string | undefined;

export const version: string = typeof TCOMPOSE_VERSION === "string" ? TCOMPOSE_VERSION : "0.0.0-dev";

/**
 * What `version` reports: the Docker Compose release tcompose follows, with tcompose's own version as semver
 * build metadata (`2.26.1+tcompose.0.1.0`). Tools read the leading version to choose behaviour (the
 * devcontainers CLI names its project `<folder>_devcontainer` from 1.21 on, `<folder>devcontainer` before),
 * so a project keeps its name whichever tool drives it.
 */
export const reportedVersion = `${composeVersion}+tcompose.${version}`;
