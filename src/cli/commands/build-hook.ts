// How `up` builds what it must: through the build module once it lands.
import type { Engine } from "../../project/engine/types.js";
import type { Project } from "../../project/load/index.js";
import type { Progress } from "../../project/progress.js";
import { CliError } from "../errors.js";

export async function buildForUp(
  _engine: Engine,
  _project: Project,
  services: string[],
  _progress: Progress,
): Promise<Record<string, string>> {
  throw new CliError(`building images is not implemented yet (services: ${services.join(", ")})`);
}
