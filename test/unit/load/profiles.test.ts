import { describe, expect, it } from "vitest";
import { activeProfiles, applyProfiles } from "../../../src/project/load/profiles.js";

const services = {
  a: { image: "busybox" },
  b: { profiles: ["debug"] },
  c: { profiles: ["tools", "debug"] },
  e: { profiles: ["x"] },
};

describe("profiles", () => {
  it("takes --profile over COMPOSE_PROFILES, which is comma-separated", () => {
    expect(activeProfiles(["debug"], "x,y")).toEqual(["debug"]);
    expect(activeProfiles([], "debug, x,")).toEqual(["debug", "x"]);
    expect(activeProfiles(undefined, undefined)).toEqual([]);
    expect(activeProfiles([""], undefined)).toEqual([]);
  });

  it("keeps services without profiles and those with an active profile", () => {
    expect(Object.keys(applyProfiles(services, []))).toEqual(["a"]);
    expect(Object.keys(applyProfiles(services, ["debug", "x"]))).toEqual(["a", "b", "c", "e"]);
    expect(Object.keys(applyProfiles(services, ["tools"]))).toEqual(["a", "c"]);
    expect(Object.keys(applyProfiles(services, ["*"]))).toEqual(["a", "b", "c", "e"]);
  });

  it("enables a service a command names, whatever its profiles", () => {
    expect(Object.keys(applyProfiles(services, [], ["e"]))).toEqual(["a", "e"]);
  });
});
