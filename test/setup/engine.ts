// Global setup of the integration and e2e layers: make sure a real Docker Engine is reachable before
// any test file runs. scripts/engine.sh leaves an engine that is already reachable as it is; otherwise
// (as root on Debian) it starts one with an offline registry mirror and the seeded images.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connectEngine } from "../../src/project/engine/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(): Promise<void> {
  try {
    execFileSync("bash", ["scripts/engine.sh", "up"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    throw new Error(
      "no Docker Engine for the integration and e2e tests: scripts/engine.sh up failed (see above)",
    );
  }
  const engine = await connectEngine();
  const { version, apiVersion } = await engine.version();
  process.stderr.write(`tests use Docker Engine ${version} (API ${apiVersion}) at ${engine.endpoint}\n`);
}
