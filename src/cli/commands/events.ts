// `events [SERVICE...]` (cmd/compose/events.go, pkg/compose/events.go, 2.26.1): the project's container
// events, one-off containers' left out, attributes without the com.docker.compose.* labels. Text lines
// are "<local time to the microsecond> container <action> <id> (k=v, …)" followed by an empty line (the
// reference's String() ends with a newline and is printed with Println); --json gives one object a line.
import type { Command } from "commander";
import type { Io } from "../io.js";

export function registerEvents(program: Command, io: Io): void {
  program
    .command("events")
    .description("Receive real time events from containers")
    .argument("[service...]")
    .option("--json", "Output events as a stream of json objects")
    .action(async (services: string[], flags: { json?: boolean }, command: Command) => {
      const [{ nameOnly }, { goJson, goJsonTime, goMicroTime }, { label }] = await Promise.all([
        import("./target.js"),
        import("../render/go-format.js"),
        import("../../project/labels.js"),
      ]);
      const { name, engine } = await nameOnly(command, io);
      await new Promise<void>((_resolve, reject) => {
        void engine
          .subscribeEvents(
            { label: { [label.project]: name } },
            (event) => {
              if (event.type !== "container") return;
              if (event.attributes[label.oneoff] === "True") return;
              const service = event.attributes[label.service] ?? "";
              if (services.length && !services.includes(service)) return;
              const attributes = Object.fromEntries(
                Object.entries(event.attributes).filter(([k]) => !k.startsWith("com.docker.compose.")),
              );
              if (flags.json) {
                // json.Marshal of a map: keys sorted, HTML characters escaped.
                const sorted = Object.fromEntries(
                  Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)),
                );
                io.stdout(
                  `${goJson({
                    action: event.action,
                    attributes: sorted,
                    id: event.id,
                    service,
                    time: goJsonTime(event.timeNanoText),
                    type: "container",
                  })}\n`,
                );
              } else {
                const attrs = Object.entries(attributes)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ");
                io.stdout(
                  `${goMicroTime(event.timeNanoText)} container ${event.action} ${event.id} (${attrs})\n\n`,
                );
              }
            },
            (error) => reject(error),
          )
          .catch(reject);
      });
    });
}
