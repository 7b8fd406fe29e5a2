// `ls`: every compose project on the engine, from its containers' labels (pkg/compose/ls.go, 2.26.1).
import type { Command } from "commander";
import type { Io } from "../io.js";

interface LsFlags {
  format: string;
  quiet?: boolean;
  filter: string[];
  all?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerLs(program: Command, io: Io): void {
  program
    .command("ls")
    .description("List running compose projects")
    .option("--format <format>", "Format the output. Values: [table | json]", "table")
    .option("-q, --quiet", "Only display IDs")
    .option("--filter <filter>", "Filter output based on conditions provided", collect, [])
    .option("-a, --all", "Show all stopped Compose projects")
    .action(async (flags: LsFlags) => {
      const [{ CliError }, { connectEngine }, { label }, table] = await Promise.all([
        import("../errors.js"),
        import("../../project/engine/index.js"),
        import("../../project/labels.js"),
        import("../render/table.js"),
      ]);
      const names: string[] = [];
      for (const f of flags.filter) {
        const eq = f.indexOf("=");
        if (eq < 0) throw new CliError(`bad format of filter (expected name=value)`);
        const key = f.slice(0, eq).trim().toLowerCase();
        if (key !== "name") throw new CliError(`invalid filter '${key}'`);
        names.push(f.slice(eq + 1));
      }
      const format = flags.format.toLowerCase();
      if (!flags.quiet && !["table", "pretty", "", "json", "{{json .}}"].includes(format)) {
        throw new CliError(`format value "${flags.format}" could not be parsed: parsing failed`);
      }
      const engine = await connectEngine();
      const containers = await engine.listContainers(
        { [label.project]: true, [label.configHash]: true },
        { all: Boolean(flags.all) },
      );
      const stacks = projectStacks(containers, label.project, label.configFiles, io);
      // docker's filters.Match for name: a regular expression searched in the name.
      const shown = names.length
        ? stacks.filter((s) => names.some((n) => safeRegExp(n).test(s.Name)))
        : stacks;
      if (flags.quiet) {
        io.stdout(shown.map((s) => `${s.Name}\n`).join(""));
        return;
      }
      if (format === "json") io.stdout(table.jsonArray(shown));
      else if (format === "{{json .}}") io.stdout(shown.map((s) => JSON.stringify(s)).join(""));
      else {
        const rows = shown.map((s) => [s.Name, s.Status, s.ConfigFiles]);
        io.stdout(table.prettySection(["NAME", "STATUS", "CONFIG FILES"], rows));
      }
    });
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return { test: (s: string) => s === pattern } as RegExp;
  }
}

interface Stack {
  Name: string;
  Status: string;
  ConfigFiles: string;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Containers grouped by project, sorted by name; states counted ("exited(1), running(2)"). */
export function projectStacks(
  containers: readonly { id: string; state: string; labels: Record<string, string> }[],
  projectLabel: string,
  filesLabel: string,
  io: Pick<Io, "stderr">,
): Stack[] {
  const byProject = new Map<string, (typeof containers)[number][]>();
  for (const c of containers) {
    const name = c.labels[projectLabel] ?? "";
    byProject.set(name, [...(byProject.get(name) ?? []), c]);
  }
  return [...byProject.keys()].sort(compareBytes).map((name) => {
    const members = byProject.get(name) ?? [];
    const counts = new Map<string, number>();
    for (const c of members) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    const status = [...counts.keys()]
      .sort(compareBytes)
      .map((s) => `${s}(${counts.get(s)})`)
      .join(", ");
    let files: string[] | undefined = [];
    for (const c of members) {
      const value = c.labels[filesLabel];
      if (value === undefined) {
        io.stderr(`WARN[0000] No label "${filesLabel}" set on container "${c.id}" of compose project\n`);
        files = undefined;
        break;
      }
      for (const f of value.split(",")) if (!files.includes(f)) files.push(f);
    }
    return { Name: name, Status: status, ConfigFiles: files ? files.join(",") : "N/A" };
  });
}
