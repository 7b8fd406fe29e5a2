import { describe, expect, it } from "vitest";
import {
  activeProfiles,
  applyProfiles,
  missingDependency,
  withNamedProfiles,
} from "../../../src/project/load/profiles.js";

const services = {
  a: { image: "busybox" },
  b: { profiles: ["debug"] },
  c: { profiles: ["tools", "debug"] },
  e: { profiles: ["x"] },
};

describe("profiles", () => {
  it("takes --profile over COMPOSE_PROFILES, which is comma-separated", () => {
    expect(activeProfiles(["debug"], "x,y")).toEqual(["debug"]);
    expect(activeProfiles([" debug"], undefined)).toEqual([" debug"]);
    expect(activeProfiles([], "debug, x,")).toEqual(["debug", "x", ""]);
  });

  it("keeps the empty profile name, active when none is given, like the reference", () => {
    expect(activeProfiles(undefined, undefined)).toEqual([""]);
    expect(activeProfiles([""], "x")).toEqual([""]);
    expect(activeProfiles(["x"], undefined)).toEqual(["x"]);
    expect(Object.keys(applyProfiles({ a: { profiles: ["", "x"] }, b: { profiles: ["x"] } }, [""]))).toEqual([
      "a",
    ]);
  });

  it("keeps services without profiles and those with an active profile", () => {
    expect(Object.keys(applyProfiles(services, []))).toEqual(["a"]);
    expect(Object.keys(applyProfiles(services, ["debug", "x"]))).toEqual(["a", "b", "c", "e"]);
    expect(Object.keys(applyProfiles(services, ["tools"]))).toEqual(["a", "c"]);
    expect(Object.keys(applyProfiles(services, ["*"]))).toEqual(["a", "b", "c", "e"]);
  });

  it("enables a service a command names by activating all of its profiles", () => {
    expect(withNamedProfiles(services, [], ["e"])).toEqual(["x"]);
    expect(Object.keys(applyProfiles(services, withNamedProfiles(services, [], ["c"])))).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(withNamedProfiles(services, ["debug"], ["c", "a"])).toEqual(["debug"]);
  });

  it("finds the first required dependency of the named services that is not enabled", () => {
    const enabled = {
      web: { depends_on: { api: { required: false }, cache: { required: true } } },
      cache: { depends_on: { db: { required: true } } },
      admin: { depends_on: { api: { required: true } } },
    };
    expect(missingDependency(enabled, ["web"])).toBe("db");
    expect(missingDependency(enabled, ["admin"])).toBe("api");
    expect(missingDependency({ web: enabled.web, cache: {} }, ["web"])).toBeUndefined();
    expect(missingDependency(enabled, ["nope"])).toBeUndefined();
  });
});
