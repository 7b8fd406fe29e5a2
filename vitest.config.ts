import { defineConfig } from "vitest/config";
import LongestFirst from "./test/setup/sequencer.js";

// Three layers (see README "Tests"): unit is pure logic; integration and e2e talk to a real Docker Engine,
// which test/setup/engine.ts makes sure is reachable before any of their files run.
export default defineConfig({
  test: {
    // Three files at a time (vitest's default here is one: cores - 1). Engine tests mostly wait on the
    // engine and their own CLI processes: the whole run on Node 20 went from 2041 s to 1491 s (README
    // "Tests"). Every file uses its own project names, ports and registries (the swarm ones share the test
    // swarm through test/helpers/swarm.ts's lock), so files never meet.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Pure, but some are CPU-heavy (property tests, the schema probe): on a CI machine busy with the
          // engine tests that run beside them, a few take longer than the default 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/setup/engine.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/setup/engine.ts", "test/setup/build.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
