import { describe, expect, it } from "vitest";
import { dependencyOrder } from "../../../src/cli/commands/config.js";

describe("config --services order", () => {
  it("lists each service after its dependencies, depth first, else in the file's order", () => {
    const services = {
      web: { depends_on: { db: {}, cache: {}, auth: {} } },
      zeta: {},
      db: { depends_on: { init: {} } },
      cache: {},
      auth: { depends_on: { db: {} } },
      init: {},
    };
    expect(dependencyOrder(services)).toEqual(["init", "db", "cache", "auth", "web", "zeta"]);
  });

  it("skips dependencies that are not in the model (disabled or optional), and lists each service once", () => {
    expect(
      dependencyOrder({ a: { depends_on: { gone: {}, b: {} } }, b: { depends_on: { gone: {} } } }),
    ).toEqual(["b", "a"]);
    expect(dependencyOrder({})).toEqual([]);
  });
});
