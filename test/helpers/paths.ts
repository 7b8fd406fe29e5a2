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
