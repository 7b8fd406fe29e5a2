import { describe, expect, it } from "vitest";
import {
  canRequestData,
  decodePacket,
  dedupePaths,
  emptyStat,
  encodePacket,
  type FsStat,
  GoMode,
  goFileMode,
  goMatchRegex,
  matchPrefix,
  PacketType,
  sortNames,
  WalkFilter,
} from "../../../src/project/build/session/filesync.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

const stat = (over: Partial<FsStat>): FsStat => ({ ...emptyStat(), ...over });

describe("fsutil packets", () => {
  it("encodes like gogo/protobuf: zero fields left out, the end-of-stats STAT empty", () => {
    expect(hex(encodePacket({ type: PacketType.STAT }))).toBe("");
    expect(hex(encodePacket({ type: PacketType.REQ, id: 5 }))).toBe("08011805");
    expect(hex(encodePacket({ type: PacketType.DATA, id: 0, data: Buffer.from("hi") }))).toBe(
      "08022202" + "6869",
    );
    expect(hex(encodePacket({ type: PacketType.DATA, id: 3 }))).toBe("08021803");
    expect(hex(encodePacket({ type: PacketType.FIN }))).toBe("0803");
    // Stat{path "a", mode ModeDir|0755}: field 1 "a", field 2 varint 0x800001ed.
    const dir = encodePacket({ type: PacketType.STAT, stat: stat({ path: "a", mode: GoMode.dir + 0o755 }) });
    expect(hex(dir)).toBe("1209" + "0a0161" + "10ed83808008");
  });

  it("round-trips a full stat, nanosecond mtimes and negative ones included", () => {
    const full = stat({
      path: "dir/file",
      mode: 0o644,
      uid: 1000,
      gid: 4294967294,
      size: 5_000_000_000,
      modTime: 1_733_500_000_123_456_789n,
      linkname: "other",
      devmajor: 8,
      devminor: 1,
      xattrs: { "user.k": Uint8Array.from([1, 2]) },
    });
    const back = decodePacket(encodePacket({ type: PacketType.STAT, stat: full }));
    expect(back.type).toBe(PacketType.STAT);
    expect({ ...back.stat, xattrs: undefined }).toEqual({ ...full, xattrs: undefined });
    expect([...(back.stat?.xattrs?.["user.k"] ?? [])]).toEqual([1, 2]);
    const old = decodePacket(
      encodePacket({ type: PacketType.STAT, stat: stat({ path: "x", modTime: -1_000n }) }),
    );
    expect(old.stat?.modTime).toBe(-1_000n);
  });

  it("decodes the receiver's packets", () => {
    expect(decodePacket(Buffer.from("0801180c", "hex"))).toMatchObject({ type: PacketType.REQ, id: 12 });
    expect(decodePacket(Buffer.from("0803", "hex"))).toMatchObject({ type: PacketType.FIN, id: 0 });
    const err = decodePacket(Buffer.from(`0804220362616d`, "hex"));
    expect(err.type).toBe(PacketType.ERR);
    expect(Buffer.from(err.data).toString()).toBe("bam");
    const end = decodePacket(new Uint8Array(0));
    expect(end.type).toBe(PacketType.STAT);
    expect(end.stat).toBeUndefined();
  });
});

describe("Go's os.FileMode", () => {
  it("puts the file type in Go's high bits, keeps permissions, maps setuid/setgid/sticky", () => {
    expect(goFileMode(0o100644)).toBe(0o644);
    expect(goFileMode(0o040755)).toBe(0x80000000 + 0o755);
    expect(goFileMode(0o120777)).toBe(0x08000000 + 0o777);
    expect(goFileMode(0o010600)).toBe(GoMode.namedPipe + 0o600);
    expect(goFileMode(0o140755)).toBe(GoMode.socket + 0o755);
    expect(goFileMode(0o060660)).toBe(GoMode.device + 0o660);
    expect(goFileMode(0o020666)).toBe(GoMode.device + GoMode.charDevice + 0o666);
    expect(goFileMode(0o104755)).toBe(GoMode.setuid + 0o755);
    expect(goFileMode(0o102755)).toBe(GoMode.setgid + 0o755);
    expect(goFileMode(0o041777)).toBe(GoMode.dir + GoMode.sticky + 0o777);
  });

  it("lets the receiver ask only for regular files' data", () => {
    expect(canRequestData(goFileMode(0o100755))).toBe(true);
    expect(canRequestData(goFileMode(0o104755))).toBe(true);
    expect(canRequestData(goFileMode(0o040755))).toBe(false);
    expect(canRequestData(goFileMode(0o120777))).toBe(false);
    expect(canRequestData(goFileMode(0o010644))).toBe(false);
  });
});

describe("walk order", () => {
  it("sorts a directory's names by their UTF-8 bytes, as Go's filepath.Walk", () => {
    expect(sortNames(["b", "a.txt", "a", "a-b", "B", "é", "\u{1F600}", "\uFF5E"])).toEqual([
      "B",
      "a",
      "a-b",
      "a.txt",
      "b",
      "é",
      "\uFF5E",
      "\u{1F600}",
    ]);
  });
});

describe("include patterns (Go filepath.Match)", () => {
  const m = (pattern: string, name: string) => goMatchRegex(pattern)?.test(name) ?? false;

  it("matches like filepath.Match: * and ? stop at /, classes, escapes", () => {
    expect(m("*.go", "a.go")).toBe(true);
    expect(m("*.go", "d/a.go")).toBe(false);
    expect(m("?", "é")).toBe(true);
    expect(m("[a-c]x", "bx")).toBe(true);
    expect(m("[^a-c]x", "bx")).toBe(false);
    expect(m("[^a-c]x", "dx")).toBe(true);
    expect(m("\\*", "*")).toBe(true);
    expect(m("\\*", "a")).toBe(false);
    expect(m("a.b", "axb")).toBe(false);
    expect(m("a+(b)", "a+(b)")).toBe(true);
  });

  it("treats malformed patterns as matching nothing", () => {
    expect(goMatchRegex("[")).toBeUndefined();
    expect(goMatchRegex("a\\")).toBeUndefined();
    expect(goMatchRegex("[]a]")).toBeUndefined();
    expect(goMatchRegex("[-a]")).toBeUndefined();
    expect(m("[z-a]", "q")).toBe(false);
  });

  it("matches a deeper pattern partially against the directories that lead to it", () => {
    expect(matchPrefix("a/b/c", "a")).toEqual({ matched: true, partial: true });
    expect(matchPrefix("a/b/c", "a/b")).toEqual({ matched: true, partial: true });
    expect(matchPrefix("a/b/c", "a/b/c")).toEqual({ matched: true, partial: false });
    expect(matchPrefix("a/*/c", "a/x")).toEqual({ matched: true, partial: true });
    expect(matchPrefix("a/b", "x")).toEqual({ matched: false, partial: true });
  });

  it("dedupes sorted paths; '.' means everything", () => {
    expect(dedupePaths(["a", "a/b", "ab", "c/d"])).toEqual(["a", "ab", "c/d"]);
    expect(dedupePaths(["a", "."])).toBeUndefined();
  });
});

/** Runs a filter over entries in walk order, pruning skipped directories, and lists what is sent. */
function walk(filter: WalkFilter, entries: string[]): string[] {
  const out: string[] = [];
  const pruned: string[] = [];
  for (const e of entries) {
    const isDir = e.endsWith("/");
    const path = isDir ? e.slice(0, -1) : e;
    if (pruned.some((p) => path.startsWith(`${p}/`))) continue;
    const d = filter.decide(path, isDir);
    if (d === "skipDir") pruned.push(path);
    if (d === "send") out.push(e);
    if (d === "enter") out.push(`(${e})`);
  }
  return out;
}

describe("WalkFilter", () => {
  const tree = ["Dockerfile", "a/", "a/b/", "a/b/c.txt", "a/d.txt", "ax.txt", "z/", "z/keep", "z/other"];

  it("without patterns sends everything", () => {
    expect(walk(new WalkFilter(undefined, undefined), tree)).toEqual(tree);
  });

  it("include patterns: the paths leading to a match and everything below a matched directory", () => {
    expect(walk(new WalkFilter(["a/b"], undefined), tree)).toEqual(["a/", "a/b/", "a/b/c.txt"]);
    expect(walk(new WalkFilter(["Dockerfile", "Dockerfile.dockerignore"], undefined), tree)).toEqual([
      "Dockerfile",
    ]);
    expect(walk(new WalkFilter(["./a/*.txt"], undefined), tree)).toEqual(["a/", "a/d.txt"]);
  });

  it("exclude patterns follow .dockerignore, an exception below an excluded directory enters it", () => {
    expect(walk(new WalkFilter(undefined, ["a", "*.txt"]), tree)).toEqual([
      "Dockerfile",
      "z/",
      "z/keep",
      "z/other",
    ]);
    expect(walk(new WalkFilter(undefined, ["z", "!z/keep"]), tree)).toEqual([
      "Dockerfile",
      "a/",
      "a/b/",
      "a/b/c.txt",
      "a/d.txt",
      "ax.txt",
      "z/",
      "z/keep",
    ]);
    // An exception that can reach anywhere enters excluded directories, sent only if something is found.
    expect(walk(new WalkFilter(undefined, ["a", "z", "!**/keep"]), tree)).toEqual([
      "Dockerfile",
      "(a/)",
      "(a/b/)",
      "ax.txt",
      "(z/)",
      "z/keep",
    ]);
  });

  it("includes and excludes together", () => {
    expect(walk(new WalkFilter(["a"], ["**/c.txt"]), tree)).toEqual(["a/", "a/b/", "a/d.txt"]);
  });
});
