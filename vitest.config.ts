import { defineConfig } from "vitest/config";

// Three layers (see README "Tests"): unit is pure logic; integration and e2e talk to a real Docker Engine,
// which test/setup/engine.ts makes sure is reachable before any of their files run.
export default defineConfig({
  test: {
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
