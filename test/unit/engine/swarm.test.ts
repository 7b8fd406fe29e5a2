import { describe, expect, it } from "vitest";
import { apiAtLeast, serviceLogQuery, swarmFilters } from "../../../src/project/engine/swarm.js";

describe("swarm calls' queries", () => {
  it("writes the API's filters: labels as k=v or k, other keys as given, nothing when empty", () => {
    expect(swarmFilters(undefined)).toBeUndefined();
    expect(swarmFilters({})).toBeUndefined();
    expect(swarmFilters({ label: {}, name: [] })).toBeUndefined();
    expect(
      JSON.parse(
        swarmFilters({
          label: { "com.docker.stack.namespace": "app", present: true },
          service: ["app_web"],
          "desired-state": ["running", "accepted"],
          node: undefined,
        }) ?? "",
      ),
    ).toEqual({
      label: ["com.docker.stack.namespace=app", "present"],
      service: ["app_web"],
      "desired-state": ["running", "accepted"],
    });
  });

  it("compares API versions by their numbers", () => {
    expect(apiAtLeast("1.41", "1.41")).toBe(true);
    expect(apiAtLeast("1.43", "1.41")).toBe(true);
    expect(apiAtLeast("1.40", "1.41")).toBe(false);
    expect(apiAtLeast("1.9", "1.41")).toBe(false);
    expect(apiAtLeast("2.0", "1.41")).toBe(true);
  });

  it("asks for both streams and every line of a service's logs unless told otherwise", () => {
    expect(serviceLogQuery({})).toEqual({
      stdout: "true",
      stderr: "true",
      follow: "false",
      timestamps: "false",
      details: "false",
      tail: "all",
    });
    expect(
      serviceLogQuery({ follow: true, timestamps: true, details: true, tail: "5", since: "10m" }),
    ).toEqual({
      stdout: "true",
      stderr: "true",
      follow: "true",
      timestamps: "true",
      details: "true",
      tail: "5",
      since: "10m",
    });
  });
});
