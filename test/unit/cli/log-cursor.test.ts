import { describe, expect, it } from "vitest";
import {
  LogCursor,
  LogPosition,
  sinceParameter,
  timestampNanos,
} from "../../../src/cli/render/log-cursor.js";
import type { OutputStream } from "../../../src/project/engine/types.js";

const t = (n: number) => `2026-12-08T00:01:39.${String(n).padStart(9, "0")}Z`;

function cursor(keep = false) {
  const out: string[] = [];
  const c = new LogCursor(keep, (stream: OutputStream, chunk: Buffer) => out.push(`${stream}:${chunk}`));
  return { c, out };
}

describe("LogCursor", () => {
  it("reads the engine's times: RFC 3339 with nanoseconds, zones, trimmed fractions", () => {
    expect(timestampNanos(t(5))).toBe(1_796_688_099_000_000_005n);
    expect(timestampNanos("2026-12-08T02:01:39.5+02:00")).toBe(1_796_688_099_500_000_000n);
    expect(timestampNanos("2026-12-08T00:01:39Z")).toBe(1_796_688_099_000_000_000n);
    expect(timestampNanos("yesterday")).toBeUndefined();
    expect(sinceParameter(1_796_688_099_000_000_005n)).toBe("1796688099.000000005");
  });

  it("takes the timestamp off each message, also when it is cut between pieces; keeps it when asked", () => {
    const { c, out } = cursor();
    c.feed("stdout", Buffer.from(`${t(1)} one\n`), true);
    c.feed("stderr", Buffer.from(t(2).slice(0, 10)), true);
    c.feed("stderr", Buffer.from(`${t(2).slice(10)} two`), false);
    c.feed("stderr", Buffer.from(" and more\n"), false);
    expect(out).toEqual(["stdout:one\n", "stderr:two", "stderr: and more\n"]);
    const kept = cursor(true);
    kept.c.feed("stdout", Buffer.from(t(1).slice(0, 5)), true);
    kept.c.feed("stdout", Buffer.from(`${t(1).slice(5)} one\n`), false);
    expect(kept.out.join("").replace(/std\w+:/g, "")).toBe(`${t(1)} one\n`);
  });

  it("catching up, reads from a second before the latest message and skips as many as it printed since", () => {
    const { c, out } = cursor();
    const at = (ms: number) =>
      `2026-12-08T00:01:${String(39 + Math.floor(ms / 1000)).padStart(2, "0")}.${String((ms % 1000) * 1_000_000).padStart(9, "0")}Z`;
    c.feed("stdout", Buffer.from(`${at(0)} a\n`), true);
    c.feed("stdout", Buffer.from(`${at(1500)} b\n`), true);
    // stderr's copier stamped its message before stdout's last one, and the file holds it after.
    c.feed("stdout", Buffer.from(`${at(2000)} c\n`), true);
    c.feed("stderr", Buffer.from(`${at(1900)} d`), true);
    c.feed("stderr", Buffer.from(" cut here"), false);
    // From 1 s before the latest (at 1000): b, c and d were printed since.
    expect(c.catchUp()).toBe("1796688100.000000000");
    c.feed("stdout", Buffer.from(`${at(1500)} b\n`), true);
    c.feed("stdout", Buffer.from(`${at(2000)} c\n`), true);
    c.feed("stderr", Buffer.from(`${at(1900)} d`), true);
    c.feed("stderr", Buffer.from(" cut here"), false);
    c.feed("stderr", Buffer.from(`${at(1950)} e, earlier than c, missed\n`), true);
    c.feed("stdout", Buffer.from(`${at(2500)} f\n`), true);
    expect(out.join("").replace(/std\w+:/g, "")).toBe("a\nb\nc\nd cut heree, earlier than c, missed\nf\n");
  });

  it("never reads from before its first message (a --tail read)", () => {
    const { c } = cursor();
    c.feed("stdout", Buffer.from(`${t(5_000_000)} only\n`), true);
    expect(c.catchUp()).toBe("1796688099.005000000");
  });

  it("without any message read, catching up starts where the first read did", () => {
    const { c, out } = cursor();
    expect(c.catchUp()).toBeUndefined();
    c.feed("stdout", Buffer.from(`${t(1)} first\n`), true);
    expect(out).toEqual(["stdout:first\n"]);
  });

  it("goes on from a position another read left (logs --merge -f): what it printed is skipped", () => {
    const position = new LogPosition();
    expect(position.after()).toBeUndefined();
    position.note(timestampNanos(t(1_000_000)) as bigint);
    position.note(timestampNanos(t(2_000_000)) as bigint);
    expect(position.after()).toBe("1796688099.003000000");
    const out: string[] = [];
    const c = new LogCursor(false, (_s, chunk) => out.push(String(chunk)), position);
    expect(c.catchUp()).toBe("1796688099.001000000");
    c.feed("stdout", Buffer.from(`${t(1_000_000)} old\n`), true);
    c.feed("stdout", Buffer.from(`${t(2_000_000)} old too\n`), true);
    c.feed("stdout", Buffer.from(`${t(3_000_000)} new\n`), true);
    expect(out).toEqual(["new\n"]);
    // What it printed is noted: a stream that ends early is read again from there.
    expect(c.catchUp()).toBe("1796688099.001000000");
  });
});
