import { run } from "./main.js";

// The bundle's entry point (dist/cli.cjs, started by ./launcher.ts): everything else is importable
// without side effects. `run` reports every failure itself and resolves with the exit code.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
