// `port SERVICE PRIVATE_PORT`: the public address of a container's port (pkg/compose/port.go, 2.26.1):
// the service's lowest-numbered running container (or --index), one-off ones included; the first
// binding of that port and protocol in the engine's order, printed "IP:PORT".
import type { Command } from "commander";
import type { Io } from "../io.js";

interface PortFlags {
  protocol: string;
  index: string;
}

export function registerPort(program: Command, io: Io): void {
  program
    .command("port")
    .description("Print the public port for a port binding")
    .argument("<service>")
    .argument("<private_port>")
    .allowExcessArguments()
    .option("--protocol <protocol>", "tcp or udp", "tcp")
    .option("--index <index>", "Index of the container if service has multiple replicas", "0")
    .action(async (service: string, privatePort: string, flags: PortFlags, command: Command) => {
      const [{ CliError }, { specifiedContainer }, { intFlag, nameOnly }] = await Promise.all([
        import("../errors.js"),
        import("../../project/state.js"),
        import("./target.js"),
      ]);
      // strconv.ParseUint(arg, 10, 16), as the reference's pre-run check.
      if (!/^\d+$/.test(privatePort)) {
        throw new CliError(`strconv.ParseUint: parsing ${JSON.stringify(privatePort)}: invalid syntax`);
      }
      const port = Number(privatePort);
      if (port > 65535) {
        throw new CliError(`strconv.ParseUint: parsing ${JSON.stringify(privatePort)}: value out of range`);
      }
      const index = intFlag("--index", flags.index) ?? 0;
      const protocol = flags.protocol.toLowerCase();
      const { name, engine } = await nameOnly(command, io);
      const container = await specifiedContainer(engine, name, service, {
        oneoff: "include",
        stopped: false,
        ...(index > 0 ? { index } : {}),
      });
      // The reference takes the first binding in the engine's order, which varies between calls (a Go
      // map's): IPv4 before IPv6 here, always.
      const found = container.ports
        .filter((p) => p.PrivatePort === port && p.Type === protocol)
        .sort((a, b) => ((a.IP ?? "") < (b.IP ?? "") ? -1 : (a.IP ?? "") > (b.IP ?? "") ? 1 : 0))[0];
      if (!found) {
        const listed = container.ports.map((p) => `${p.PublicPort ?? 0}/${p.Type}`).join(", ");
        const cname = container.names[0] ?? "";
        throw new CliError(`no port ${port}/${protocol} for container ${cname}: ${listed}`);
      }
      io.stdout(`${found.IP ?? ""}:${found.PublicPort ?? 0}\n`);
    });
}
