import { describe, expect, it } from "vitest";
import { compareTimes, networkToKeep } from "../../../src/project/apply.js";

describe("duplicate networks: the one kept", () => {
  it("is the one most containers use, whatever its age", () => {
    const kept = networkToKeep([
      { id: "a", created: "2026-12-06T10:00:00Z", containers: [] },
      { id: "b", created: "2026-12-06T11:00:00Z", containers: ["c1", "c2"] },
      { id: "c", created: "2026-12-06T09:00:00Z", containers: ["c3"] },
    ]);
    expect(kept?.id).toBe("b");
  });

  it("is the oldest when none is used (nanoseconds count), then the lowest id", () => {
    // As text the second would sort first ("Z" after "6"): Go trims a fraction's trailing zeros.
    const kept = networkToKeep([
      { id: "x", created: "2026-12-06T10:00:00.12345Z", containers: [] },
      { id: "y", created: "2026-12-06T10:00:00.123456789Z", containers: [] },
    ]);
    expect(kept?.id).toBe("x");
    const same = "2026-12-06T10:00:00.5Z";
    expect(
      networkToKeep([
        { id: "f2", created: same, containers: [] },
        { id: "e1", created: same, containers: [] },
      ])?.id,
    ).toBe("e1");
    expect(networkToKeep([])).toBeUndefined();
  });

  it("compares the engine's times across zones and fraction lengths; an unreadable time sorts last", () => {
    expect(compareTimes("2026-12-06T10:00:00.1Z", "2026-12-06T10:00:00.099999999Z")).toBe(1);
    expect(compareTimes("2026-12-06T12:00:00+02:00", "2026-12-06T10:00:00.000000001Z")).toBe(-1);
    expect(compareTimes("2026-12-06T10:00:00Z", "2026-12-06T10:00:00.000Z")).toBe(0);
    expect(compareTimes("", "2026-12-06T10:00:00Z")).toBe(1);
    expect(compareTimes("", "")).toBe(0);
  });
});
