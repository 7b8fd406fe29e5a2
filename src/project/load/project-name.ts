// The project name, with the reference's precedence and rules (observed on 2.26):
// -p, then COMPOSE_PROJECT_NAME (shell or .env), then the top-level `name:`, then the project directory's
// base name. Names given by -p or COMPOSE_PROJECT_NAME must already be valid; `name:` and the directory
// name are normalised (lower-cased, other characters dropped, leading '_'/'-' trimmed).

const valid = /^[a-z0-9][a-z0-9_-]*$/;

export function normalizeProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[_-]+/, "");
}

export interface ProjectNameSources {
  flag?: string;
  environment?: string;
  topLevel?: string;
  projectDir: string;
}

export type ProjectNameResult = { name: string } | { error: string; exitCode: number };

export function resolveProjectName(sources: ProjectNameSources): ProjectNameResult {
  const given = sources.flag || sources.environment;
  if (given) {
    if (valid.test(given)) return { name: given };
    return {
      error:
        `invalid project name "${given}": must consist only of lowercase alphanumeric characters, ` +
        "hyphens, and underscores as well as start with a letter or number",
      exitCode: 1,
    };
  }
  const base = sources.projectDir.split("/").filter(Boolean).pop() ?? "";
  const name = normalizeProjectName(sources.topLevel || base);
  // An empty name is an invalid project in the reference (exit 15).
  return name ? { name } : { error: "project name must not be empty", exitCode: 15 };
}
