import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = `${repoRoot}dist/tcompose.cjs`;

/**
 * The reference Docker Compose v2 binary (scripts/reference.sh installs it), or undefined. Tests that
 * need it use `describe.skipIf(!referenceBinary)` and name the reason in their title (see
 * `referenceSkipNote`), so a run without it says loudly what it did not check.
 */
export const referenceBinary: string | undefined = (() => {
  const candidates = [process.env.TCOMPOSE_REFERENCE, `${repoRoot}.cache/reference/docker-compose`];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
})();

export const referenceSkipNote = referenceBinary
  ? ""
  : " [SKIPPED: reference docker compose absent; run scripts/reference.sh]";

/**
 * The DOCKER_CONFIG that scripts/reference.sh prepares for reference runs through BuildKit: its
 * cli-plugins/ holds docker-buildx (0.13). Undefined when absent; tests that need it skip with
 * `referenceBuildkitSkipNote` in their title.
 */
export const referenceBuildkitConfig: string | undefined = (() => {
  const dir = `${repoRoot}.cache/reference/buildkit-config`;
  return existsSync(`${dir}/cli-plugins/docker-buildx`) ? dir : undefined;
})();

export const referenceBuildkitSkipNote =
  referenceBinary && referenceBuildkitConfig
    ? ""
    : " [SKIPPED: reference docker compose or its buildx plugin absent; run scripts/reference.sh]";
