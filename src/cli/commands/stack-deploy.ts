// `stack deploy` (alias `up`) and `stack config`: the Compose file loaded by tcompose's own loader (the whole
// current spec: .env, --env-file, profiles, include, extends) and put on a swarm (project/stack/deploy.ts).
// Flags as docker's (20.10's set and docker 28's -d/--detach and -q/--quiet); --dry-run is tcompose's.
import type { Command } from "commander";
import type { Engine } from "../../project/engine/types.js";
import type { Project } from "../../project/load/index.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { parseGoBool } from "./target.js";

interface DeployFlags {
  composeFile: string[];
  prune?: boolean;
  resolveImage: string;
  withRegistryAuth?: boolean;
  /** A Go bool, or (`-d NAME`) the stack name the optional value took. */
  detach: boolean | string;
  quiet?: boolean;
  dryRun?: boolean;
  build?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `-d` takes an optional Go bool (`--detach=false`); a word that is none is the stack name given after it. */
function detachValue(value: string | undefined): boolean | string {
  try {
    return parseGoBool(value);
  } catch {
    return value ?? true;
  }
}

/** The stack name and --detach, with `-d NAME` read as docker reads it. */
function nameAndDetach(name: string | undefined, detach: boolean | string): [string, boolean] {
  if (typeof detach === "string") {
    if (name !== undefined) throw new CliError(`"tcompose stack deploy" requires exactly 1 argument.`);
    return [detach, true];
  }
  if (name === undefined) throw new CliError(`"tcompose stack deploy" requires exactly 1 argument.`);
  return [name, detach];
}

/** docker creates (and `stack config` prints) every declared secret and config, used or not. */
const stackKeeps = ["secrets", "configs"] as const;

async function loadStack(command: Command, files: string[], name: string, io: Io) {
  const { loadFromCommand } = await import("../project-options.js");
  // docker stack (20.10) needs `version:` in the file: the loader's advice to remove it does not apply here.
  const warn = (text: string) => {
    if (!text.includes("the attribute `version` is obsolete")) io.stderr(text);
  };
  return loadFromCommand(
    command,
    { ...(files.length > 0 ? { files } : {}), projectName: name.toLowerCase(), keepUnused: stackKeeps },
    warn,
  );
}

export function registerStackDeploy(stack: Command, io: Io): void {
  stack
    .command("deploy")
    .alias("up")
    .description("Deploy a new stack or update an existing stack")
    .argument("[stack]")
    .option("-c, --compose-file <file>", 'Path to a Compose file, or "-" to read from stdin', collect, [])
    .option(
      "-d, --detach [bool]",
      "Exit immediately instead of waiting for the stack services to converge",
      detachValue,
      true,
    )
    .option("--prune", "Prune services that are no longer referenced")
    .option("-q, --quiet", "Suppress progress output")
    .option(
      "--resolve-image <when>",
      'Query the registry to resolve image digest and supported platforms ("always"|"changed"|"never")',
      "always",
    )
    .option("--with-registry-auth", "Send registry authentication details to Swarm agents")
    .option("--dry-run", "Print what would be created, updated or removed, and change nothing")
    .option("--build", "Build the services' images and push them to their registry first")
    .action(async (given: string | undefined, flags: DeployFlags, command: Command) => {
      const [name, detach] = nameAndDetach(given, flags.detach);
      if (!["always", "changed", "never"].includes(flags.resolveImage)) {
        throw new CliError(`Invalid option ${flags.resolveImage} for flag --resolve-image`);
      }
      // Without -c, the files `tcompose up` would read (docker asks for -c).
      const project = await loadStack(command, flags.composeFile, name, io);
      const [{ connectEngine, registryCredentials }, { deployStack, StackError }, { RolloutError }] =
        await Promise.all([
          import("../../project/engine/index.js"),
          import("../../project/stack/deploy.js"),
          import("../../project/stack/converge.js"),
        ]);
      const engine = await connectEngine();
      const dryRun = Boolean(flags.dryRun ?? (command.optsWithGlobals() as { dryRun?: boolean }).dryRun);
      if (flags.build && !dryRun) await buildAndPush(engine, project, command, io, Boolean(flags.quiet));
      const credentials = flags.withRegistryAuth ? registryCredentials() : undefined;
      const registryAuth = credentials
        ? (image: string) => {
            const auth = credentials.forImage(image);
            return Buffer.from(JSON.stringify(auth ?? {})).toString("base64url");
          }
        : undefined;
      try {
        await deployStack(
          engine,
          project,
          {
            namespace: name,
            prune: Boolean(flags.prune),
            resolveImage: flags.resolveImage as "always" | "changed" | "never",
            ...(registryAuth ? { registryAuth } : {}),
            detach,
            quiet: Boolean(flags.quiet),
            dryRun,
            built: Boolean(flags.build),
          },
          {
            line: (text) => io.stdout(`${text}\n`),
            warn: (text) => io.stderr(text.endsWith("\n") ? text : `${text}\n`),
          },
        );
      } catch (error) {
        if (error instanceof StackError || error instanceof RolloutError) throw new CliError(error.message);
        throw error;
      }
    });
}

/**
 * --build: every service with a `build` section is built on the engine deployed to and pushed under its
 * `image`, so that every node can pull it (the image's registry must be one the nodes reach).
 */
async function buildAndPush(
  engine: Engine,
  project: Project,
  command: Command,
  io: Io,
  quiet: boolean,
): Promise<void> {
  const names = Object.entries(project.model.services)
    .filter(([, s]) => s.build)
    .map(([name]) => name);
  if (names.length === 0) return;
  const [{ buildServices }, { pushServices }, { progressFor }, { silentProgress }] = await Promise.all([
    import("../../project/build/index.js"),
    import("../../project/push.js"),
    import("../progress-output.js"),
    import("../../project/progress.js"),
  ]);
  const progress = quiet ? silentProgress : await progressFor(command, io, "Building");
  try {
    await buildServices(engine, project, names, { quiet, progress, out: (line) => io.stdout(`${line}\n`) });
    await pushServices(engine, project, names, { quiet }, progress);
  } catch (error) {
    if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
      throw new CliError(error.message, error.exitCode);
    }
    throw error;
  } finally {
    progress.stop();
  }
}

interface ConfigFlags {
  composeFile: string[];
  skipInterpolation?: boolean;
}

export function registerStackConfig(stack: Command, io: Io): void {
  stack
    .command("config")
    .description("Outputs the final config file, after doing merges and interpolations")
    .option("-c, --compose-file <file>", 'Path to a Compose file, or "-" to read from stdin', collect, [])
    .option("--skip-interpolation", "Skip interpolation and output only merged config")
    .action(async (flags: ConfigFlags, command: Command) => {
      const { loadFromCommand } = await import("../project-options.js");
      const { renderConfig } = await import("../render/config.js");
      const { typedModel } = await import("../../project/load/types.js");
      const interpolate = !flags.skipInterpolation;
      const project = loadFromCommand(
        command,
        {
          ...(flags.composeFile.length > 0 ? { files: flags.composeFile } : {}),
          interpolate,
          keepUnused: stackKeeps,
          ...(interpolate ? {} : { written: true }),
        },
        (text) => {
          if (!text.includes("the attribute `version` is obsolete")) io.stderr(text);
        },
      );
      if (!interpolate && project.written) project.model = typedModel(project.written);
      io.stdout(renderConfig(project.model, { format: "yaml", interpolated: interpolate }));
    });
}
