// The docker compose v2 command set, in the reference's order and with its descriptions, so that
// `tcompose --help` reads like `docker compose --help`; src/cli/commands/registry.ts implements each.

export interface CommandInfo {
  name: string;
  description: string;
}

export const composeCommands: readonly CommandInfo[] = [
  {
    name: "attach",
    description: "Attach local standard input, output, and error streams to a service's running container",
  },
  { name: "build", description: "Build or rebuild services" },
  { name: "config", description: "Parse, resolve and render compose file in canonical format" },
  { name: "cp", description: "Copy files/folders between a service container and the local filesystem" },
  { name: "create", description: "Creates containers for a service" },
  { name: "down", description: "Stop and remove containers, networks" },
  { name: "events", description: "Receive real time events from containers" },
  { name: "exec", description: "Execute a command in a running container" },
  { name: "images", description: "List images used by the created containers" },
  { name: "kill", description: "Force stop service containers" },
  { name: "logs", description: "View output from containers" },
  { name: "ls", description: "List running compose projects" },
  { name: "pause", description: "Pause services" },
  { name: "port", description: "Print the public port for a port binding" },
  { name: "ps", description: "List containers" },
  { name: "pull", description: "Pull service images" },
  { name: "push", description: "Push service images" },
  { name: "restart", description: "Restart service containers" },
  { name: "rm", description: "Removes stopped service containers" },
  { name: "run", description: "Run a one-off command on a service" },
  { name: "scale", description: "Scale services" },
  { name: "start", description: "Start services" },
  { name: "stats", description: "Display a live stream of container(s) resource usage statistics" },
  { name: "stop", description: "Stop services" },
  { name: "top", description: "Display the running processes" },
  { name: "unpause", description: "Unpause services" },
  { name: "up", description: "Create and start containers" },
  { name: "version", description: "Show the Docker Compose version information" },
  { name: "wait", description: "Block until the first service container stops" },
  {
    name: "watch",
    description: "Watch build context for service and rebuild/refresh containers when files are updated",
  },
];
