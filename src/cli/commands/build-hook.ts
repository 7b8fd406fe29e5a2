// How `up`, `create` and `run` build what they must: the build module, its failures as CLI errors
// (exit 17 like the reference's build failures).
import type { Engine } from "../../project/engine/types.js";
import type { Project } from "../../project/load/index.js";
import type { Progress } from "../../project/progress.js";
import { CliError } from "../errors.js";

export async function buildForUp(
  engine: Engine,
  project: Project,
  services: string[],
  progress: Progress,
  /** out: where BuildKit's plain output goes (stdout, as the reference prints it); parallel: --parallel. */
  extra: { out?: (line: string) => void; parallel?: number | undefined } = {},
): Promise<Record<string, string>> {
  const { buildServices } = await import("../../project/build/index.js");
  const { BuildError } = await import("../../project/build/request.js");
  try {
    return await buildServices(engine, project, services, { progress, ...extra });
  } catch (error) {
    if (error instanceof BuildError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
}
