import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { builtImageName } from "../../project/labels.js";
import { InvalidProjectError } from "../../project/load/diagnostics.js";
import { isMapping, type Mapping } from "../../project/load/document.js";
import type { Project } from "../../project/load/index.js";
import { type ComposeModel, typedModel } from "../../project/load/types.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";

interface ConfigFlags {
  format: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  profiles?: boolean;
  images?: boolean;
  hash?: string;
  variables?: boolean;
  resolveImageDigests?: boolean;
  interpolate: boolean;
  normalize: boolean;
  pathResolution: boolean;
  consistency: boolean;
  output?: string;
}

/** The model with only `names` and the services they depend on, transitively. */
function withSelectedServices(model: ComposeModel, names: string[]): ComposeModel {
  const services = (model.services ?? {}) as Record<string, Mapping>;
  const keep = new Set<string>();
  const visit = (name: string) => {
    if (keep.has(name)) return;
    const service = services[name];
    if (!service) throw new CliError(`no such service: ${name}`);
    keep.add(name);
    for (const dependency of Object.keys((service.depends_on ?? {}) as Mapping)) {
      if (services[dependency]) visit(dependency);
    }
  };
  for (const name of names) visit(name);
  return { ...model, services: Object.fromEntries(Object.entries(services).filter(([n]) => keep.has(n))) };
}

const lines = (items: Iterable<string>) => [...items].map((i) => `${i}\n`).join("");

/**
 * Service names with each after the services it depends on, as the reference's `config --services` walks
 * them (a depth-first walk, dependencies first; its order among independent services is Go's map order,
 * random: here it is the file's). Dependencies that are not in the model (disabled, optional) are skipped.
 */
export function dependencyOrder(services: Record<string, Mapping>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !services[name]) return;
    seen.add(name);
    const dependsOn = services[name].depends_on;
    for (const dependency of Object.keys(isMapping(dependsOn) ? dependsOn : {})) visit(dependency);
    out.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return out;
}

function listing(flags: ConfigFlags, model: Mapping, profiles: string[]): string | undefined {
  const services = (model.services ?? {}) as Record<string, Mapping>;
  if (flags.services) return lines(dependencyOrder(services));
  if (flags.volumes) return lines(Object.keys((model.volumes ?? {}) as Mapping));
  // Not in 2.26 (later releases have it): the networks' keys, `default` included when services use it.
  if (flags.networks) return lines(Object.keys((model.networks ?? {}) as Mapping));
  if (flags.profiles) return lines([...profiles].sort());
  if (flags.images) {
    const name = String(model.name);
    return lines(Object.entries(services).map(([s, svc]) => String(svc.image ?? builtImageName(name, s))));
  }
  return undefined;
}

/** The reference's map-level load (config --no-interpolate) fails with exit code 1 whatever went wrong. */
function loadOrExit(exitCode: number | undefined, load: () => Project): Project {
  if (exitCode === undefined) return load();
  try {
    return load();
  } catch (error) {
    if (error instanceof InvalidProjectError) throw new InvalidProjectError(error.diagnostics, exitCode);
    if (error instanceof CliError) throw new CliError(error.message, exitCode);
    throw error;
  }
}

/** `image: name:tag@sha256:…` for every service with an image, from the registry through the engine. */
async function pinDigests(project: Project): Promise<void> {
  const [{ connectEngine }, { pinImageDigests }, { daemonError }] = await Promise.all([
    import("../../project/engine/index.js"),
    import("../../project/image-reference.js"),
    import("./target.js"),
  ]);
  const engine = await connectEngine();
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const pinned = await pinImageDigests(services, (reference) =>
    engine.distributionDigest(reference).catch((error: unknown) => {
      throw new CliError(`${(daemonError(error) as Error).message} (the digest of ${reference})`);
    }),
  );
  project.model = { ...project.model, services: pinned };
}

// --- config --hash (begin) ---------------------------------------------------------------------------------
/**
 * `<service> <hash>` lines, as the reference's runHash (cmd/compose/config.go): `*` is every enabled service,
 * otherwise a comma list; either way sorted by name (byte order), duplicates kept; a name that is not an
 * enabled service fails with "no such service: <name>: not found" (or ": disabled" for a profile's).
 */
function hashLines(
  spec: string,
  project: Project,
  isDeclared: (name: string) => boolean,
  { compareGoStrings, serviceConfigHash, withDefaultPlatform }: typeof import("../../project/hash.js"),
): string {
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const names = spec === "*" ? Object.keys(services) : spec.split(",");
  return lines(
    names.sort(compareGoStrings).map((name) => {
      const service = services[name];
      if (!service) {
        throw new CliError(`no such service: ${name}: ${isDeclared(name) ? "disabled" : "not found"}`);
      }
      return `${name} ${serviceConfigHash(withDefaultPlatform(service, project.environment))}`;
    }),
  );
}
// --- config --hash (end) -----------------------------------------------------------------------------------

// --- config --variables (begin) ----------------------------------------------------------------------------
/**
 * The reference's runVariables: the model loaded without interpolation, env files or consistency checks;
 * its variables as a table whatever --format says. A load error exits 1 there (not 14 or 15).
 */
async function variablesTable(command: Command, io: Io): Promise<string> {
  const [{ loadFromCommand }, { extractVariables, formatVariables }] = await Promise.all([
    import("../project-options.js"),
    import("../../project/load/variables.js"),
  ]);
  let project: Project;
  try {
    project = loadFromCommand(
      command,
      { interpolate: false, mergeEnvFiles: false, consistency: false, declared: true },
      io.stderr,
    );
  } catch (error) {
    // Same message, the reference's exit code (exitCode is a plain field, readonly for TypeScript only).
    if (error instanceof Error && "exitCode" in error) Object.defineProperty(error, "exitCode", { value: 1 });
    throw error;
  }
  return formatVariables(extractVariables(project.declared ?? project.model));
}
// --- config --variables (end) ------------------------------------------------------------------------------

export function registerConfig(program: Command, io: Io): void {
  program
    .command("config")
    .alias("convert")
    .description("Parse, resolve and render compose file in canonical format")
    .argument("[service...]")
    .option("--format <format>", "Format the output. Values: [yaml | json]", "yaml")
    .option("-q, --quiet", "Only validate the configuration, don't print anything")
    .option("--services", "Print the service names, one per line")
    .option("--volumes", "Print the volume names, one per line")
    .option("--networks", "Print the network names, one per line")
    .option("--profiles", "Print the profile names, one per line")
    .option("--images", "Print the image names, one per line")
    .option("--hash <services>", "Print the service config hash, one per line")
    .option("--variables", "Print model variables and default values")
    .option("--resolve-image-digests", "Pin image tags to digests")
    .option("--no-interpolate", "Don't interpolate environment variables")
    .option("--no-normalize", "Don't normalize compose model")
    .option("--no-path-resolution", "Don't resolve file paths")
    .option("--no-consistency", "Don't check model consistency - warning: may produce invalid Compose output")
    .option("-o, --output <file>", "Save to file (default to stdout)")
    .action(async (named: string[], flags: ConfigFlags, command: Command) => {
      if (flags.format !== "yaml" && flags.format !== "json") {
        throw new UsageError(`unsupported format "${flags.format}"`);
      }
      if (flags.variables) {
        io.stdout(await variablesTable(command, io));
        return;
      }
      // Loaded on use: the loader, YAML parser and schema validator are most of the bundle, and
      // `tcompose --version` or `--help` should not parse them.
      const [{ loadFromCommand }, { renderConfig }] = await Promise.all([
        import("../project-options.js"),
        import("../render/config.js"),
      ]);
      // Services named after `config` enable their profiles and narrow the printed model to them and their
      // dependencies; the listing flags and --hash ignore them (observed on 2.26).
      const listingOnly = Boolean(
        flags.services || flags.volumes || flags.networks || flags.profiles || flags.images || flags.hash,
      );
      // Without interpolation the reference prints its map-level model, whole: named services select nothing.
      const written = !flags.interpolate && !listingOnly;
      const selected = named.length > 0 && !listingOnly && !written ? named : undefined;
      const project = loadOrExit(written ? 1 : undefined, () =>
        loadFromCommand(
          command,
          {
            interpolate: flags.interpolate,
            normalize: flags.normalize,
            consistency: flags.consistency,
            resolvePaths: flags.pathResolution,
            // The reference's map-level model (--no-interpolate) and its listings and hashes leave env_file
            // unread (a missing one is no error there).
            mergeEnvFiles: !listingOnly && !written,
            written,
            ...(selected ? { services: selected } : {}),
          },
          io.stderr,
        ),
      );
      if (selected) project.model = withSelectedServices(project.model, selected);
      if (written && project.written) project.model = typedModel(project.written);
      // The reference checks --hash after --services and --volumes, and prints it to stdout even with -o.
      if (flags.hash && !flags.services && !flags.volumes) {
        const enabling = (name: string) => loadFromCommand(command, { services: [name] }, () => {});
        const declared = (name: string) => Boolean((enabling(name).model.services as Mapping)?.[name]);
        const text = hashLines(flags.hash, project, declared, await import("../../project/hash.js"));
        if (!flags.quiet) io.stdout(text);
        return;
      }
      // Pinned through the engine's registry access, in the reference's form; 2.26.1 itself pins them only
      // with --no-interpolate (its cmd/compose/config.go), and prints them as written otherwise.
      if (flags.resolveImageDigests && !listingOnly) await pinDigests(project);
      if (flags.quiet) return;
      const listed = listing(flags, project.model, project.profiles);
      const text =
        listed ?? renderConfig(project.model, { format: flags.format, interpolated: flags.interpolate });
      if (flags.output) writeFileSync(flags.output, text);
      // An empty listing prints nothing, not an empty line.
      else io.stdout(listed !== undefined || text.endsWith("\n") ? text : `${text}\n`);
    });
}
