// `top [SERVICE...]`: each running container's processes (cmd/compose/top.go, 2.26.1): containers sorted
// by name, one-off ones included; for each its name, then a table aligned like tabwriter(5, 1, 3) whose
// rows end with a tab (so the last column is padded too), then an empty line.
import type { Command } from "commander";
import type { Io } from "../io.js";

export function registerTop(program: Command, io: Io): void {
  program
    .command("top")
    .description("Display the running processes")
    .argument("[services...]")
    .action(async (services: string[], _flags: unknown, command: Command) => {
      const [{ nameOnly }, { byName }, { tabwrite }, { canonicalName, composeContainers }] =
        await Promise.all([
          import("./target.js"),
          import("./project-query.js"),
          import("../render/tabwriter.js"),
          import("../../project/state.js"),
        ]);
      const { name, engine } = await nameOnly(command, io);
      let containers = await composeContainers(engine, name, { oneoff: "include", stopped: false });
      if (services.length)
        containers = containers.filter((c) =>
          services.includes(c.labels["com.docker.compose.service"] ?? ""),
        );
      const tops = await Promise.all(containers.map((c) => engine.topContainer(c.id)));
      const order = containers.map((c, i) => ({ c, top: tops[i] })).sort((a, b) => byName(a.c, b.c));
      let out = "";
      for (const { c, top } of order) {
        if (!top) continue;
        const body =
          `${top.Titles.join("\t")}\n` +
          top.Processes.map((p) => `${p.map((cell) => `${cell}\t`).join("")}\n`).join("") +
          "\n";
        out += `${canonicalName(c)}\n${tabwrite(body, { minWidth: 5, padding: 3 })}`;
      }
      io.stdout(out);
    });
}
