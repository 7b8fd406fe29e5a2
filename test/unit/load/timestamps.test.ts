import { describe, expect, it } from "vitest";
import {
  goTimeRfc3339,
  goTimeString,
  markTimestamp,
  settleTimestamps,
  unmarkTimestamp,
} from "../../../src/project/load/timestamps.js";

describe("YAML timestamps, as the reference reads them", () => {
  it("writes them as Go's time.String() and as RFC 3339", () => {
    expect(goTimeString("2024-01-01")).toBe("2024-01-01 00:00:00 +0000 UTC");
    expect(goTimeString("2024-1-2")).toBe("2024-01-02 00:00:00 +0000 UTC");
    expect(goTimeString("2001-12-14t21:59:43.10-05:00")).toBe("2001-12-14 21:59:43.1 -0500 -0500");
    expect(goTimeString("2001-12-14 21:59:43.10")).toBe("2001-12-14 21:59:43.1 +0000 UTC");
    expect(goTimeString("2024-01-01T10:00:00.000Z")).toBe("2024-01-01 10:00:00 +0000 UTC");
    expect(goTimeString("2024-01-01T10:00:00+05:30")).toBe("2024-01-01 10:00:00 +0530 +0530");
    expect(goTimeRfc3339("2001-12-14t21:59:43.10-05:00")).toBe("2001-12-14T21:59:43.1-05:00");
    expect(goTimeRfc3339("2024-01-01")).toBe("2024-01-01T00:00:00Z");
  });

  it("settles marks: Go text in maps of strings, RFC 3339 under x-, a located problem elsewhere", () => {
    const t = markTimestamp("2024-01-01");
    expect(unmarkTimestamp(t)).toBe("2024-01-01");
    const { value, diagnostics } = settleTimestamps({
      services: {
        web: {
          environment: { D: t, Q: "2024-01-01" },
          labels: { l: t },
          build: { args: { A: t } },
          hostname: t,
          command: ["echo", t],
          "x-when": { at: t },
        },
      },
      "x-top": t,
    });
    expect(value).toEqual({
      services: {
        web: {
          environment: { D: "2024-01-01 00:00:00 +0000 UTC", Q: "2024-01-01" },
          labels: { l: "2024-01-01 00:00:00 +0000 UTC" },
          build: { args: { A: "2024-01-01 00:00:00 +0000 UTC" } },
          hostname: "2024-01-01",
          command: ["echo", "2024-01-01"],
          "x-when": { at: "2024-01-01T00:00:00Z" },
        },
      },
      "x-top": "2024-01-01T00:00:00Z",
    });
    expect(diagnostics.map((d) => d.path)).toEqual([
      ["services", "web", "hostname"],
      ["services", "web", "command", 1],
    ]);
    expect(diagnostics[0]?.message).toBe(
      "2024-01-01 is read as a YAML timestamp (a time, not text) where text is expected: quote it ('2024-01-01')",
    );
  });
});
