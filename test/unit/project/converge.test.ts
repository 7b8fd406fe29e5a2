import { describe, expect, it } from "vitest";
import { inheritedMounts } from "../../../src/project/container-spec.js";
import {
  decideService,
  isHalfMade,
  recreateHalfMade,
  serviceScale,
  unfinishedRecreates,
} from "../../../src/project/converge.js";
import type { ContainerSummary } from "../../../src/project/engine/types.js";
import { label } from "../../../src/project/labels.js";

function container(number: number, hash: string, extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: `id${number}`,
    names: [`p-web-${number}`],
    image: "busybox:1.36",
    imageId: "sha256:img",
    command: "",
    created: number,
    state: "running",
    status: "Up",
    labels: {
      [label.configHash]: hash,
      [label.containerNumber]: String(number),
      [label.image]: "sha256:img",
    },
    ports: [],
    networks: {},
    ...extra,
  };
}

const names = (cs: ContainerSummary[]) => cs.map((c) => c.names[0]);

describe("decideService (the reference's ensureService decisions)", () => {
  it("keeps up-to-date containers and creates none when the scale is met", () => {
    const d = decideService(
      { configHash: "h", imageId: "sha256:img", scale: 2 },
      [container(1, "h"), container(2, "h")],
      "diverged",
    );
    expect({ keep: names(d.keep), recreate: d.recreate, remove: d.remove, create: d.create }).toEqual({
      keep: ["p-web-1", "p-web-2"],
      recreate: [],
      remove: [],
      create: [],
    });
  });

  it("recreates a container whose config hash or image differs, unless the policy is never", () => {
    const cs = [
      container(1, "old"),
      container(2, "h", {
        labels: { [label.configHash]: "h", [label.containerNumber]: "2", [label.image]: "sha256:other" },
      }),
    ];
    const diverged = decideService({ configHash: "h", imageId: "sha256:img", scale: 2 }, cs, "diverged");
    expect(names(diverged.recreate)).toEqual(["p-web-1", "p-web-2"]);
    const never = decideService({ configHash: "h", imageId: "sha256:img", scale: 2 }, cs, "never");
    expect(names(never.keep)).toEqual(["p-web-1", "p-web-2"]);
    const forced = decideService(
      { configHash: "h", scale: 1, forcedBy: "db" },
      [container(1, "h")],
      "diverged",
    );
    expect(names(forced.recreate)).toEqual(["p-web-1"]);
  });

  it("scales down from the highest-numbered up-to-date containers, and up after the highest number", () => {
    const cs = [container(3, "h"), container(1, "h"), container(2, "h")];
    const down = decideService({ configHash: "h", scale: 1 }, cs, "diverged");
    expect(names(down.keep)).toEqual(["p-web-1"]);
    expect(names(down.remove)).toEqual(["p-web-2", "p-web-3"]);
    const up = decideService(
      { configHash: "h", scale: 5 },
      [container(1, "h"), container(3, "h")],
      "diverged",
    );
    expect(up.create).toEqual([4, 5, 6].slice(0, 3));
  });

  it("takes --scale over scale over deploy.replicas", () => {
    expect(serviceScale({ scale: 2, deploy: { replicas: 3 } })).toBe(2);
    expect(serviceScale({ deploy: { replicas: 3 } })).toBe(3);
    expect(serviceScale({})).toBe(1);
    expect(serviceScale({ scale: 2 }, 0)).toBe(0);
  });
});

describe("inheritedMounts (recreate keeps anonymous volumes)", () => {
  const old = [
    {
      Type: "volume",
      Name: "anon1",
      Source: "/var/lib/docker/volumes/anon1/_data",
      Destination: "/cache",
      RW: true,
    },
    { Type: "volume", Name: "anon2", Source: "/x", Destination: "/data/", RW: false },
    { Type: "volume", Name: "p_named", Source: "/y", Destination: "/named", RW: true },
    { Type: "tmpfs", Source: "", Destination: "/tmp", RW: true },
  ];
  it("takes the old container's volumes at anonymous targets and image VOLUME paths, nothing else", () => {
    const service = {
      volumes: [
        { type: "volume", target: "/cache" },
        { type: "volume", source: "named", target: "/named" },
        { type: "tmpfs", target: "/tmp" },
      ],
    };
    expect(inheritedMounts(service, old, ["/data"])).toEqual([
      { Type: "volume", Source: "anon1", Target: "/cache", ReadOnly: false },
      { Type: "volume", Source: "anon2", Target: "/data", ReadOnly: true },
    ]);
  });
});

describe("unfinishedRecreates (what an interrupted recreate left)", () => {
  const finalName = (n: number) => `p-web-${n}`;
  const temp = (number: number, oldId: string, created = 10): ContainerSummary =>
    container(number, "h", { id: `new-${oldId}`, names: [`${oldId.slice(0, 12)}_p-web-${number}`], created });
  const ids = (cs: ContainerSummary[]) => cs.map((c) => c.id);

  it("leaves a service without temporary names as it is", () => {
    const cs = [container(1, "h"), container(2, "old")];
    expect(unfinishedRecreates(cs, finalName)).toEqual({ rename: [], remove: [], containers: cs });
  });

  it("renames a replacement back to its final name once the replaced container is gone", () => {
    const left = unfinishedRecreates([container(1, "h"), temp(2, "0123456789abcdef")], finalName);
    expect(left.rename.map((r) => [r.container.id, r.name])).toEqual([["new-0123456789abcdef", "p-web-2"]]);
    expect(left.remove).toEqual([]);
    expect(left.containers.map((c) => [c.id, c.names[0]])).toEqual([
      ["id1", "p-web-1"],
      ["new-0123456789abcdef", "p-web-2"],
    ]);
  });

  it("drops the replacement while the replaced container is still there (the recreate starts again)", () => {
    const old = container(1, "old");
    const left = unfinishedRecreates([old, temp(1, "aaaaaaaaaaaaffff")], finalName);
    expect(left.rename).toEqual([]);
    expect(ids(left.remove)).toEqual(["new-aaaaaaaaaaaaffff"]);
    expect(left.containers).toEqual([old]);
  });

  it("keeps the newest of several replacements of a number and drops the others", () => {
    const left = unfinishedRecreates(
      [temp(1, "aaaaaaaaaaaa0000", 5), temp(1, "bbbbbbbbbbbb0000", 9)],
      finalName,
    );
    expect(left.rename.map((r) => r.container.id)).toEqual(["new-bbbbbbbbbbbb0000"]);
    expect(ids(left.remove)).toEqual(["new-aaaaaaaaaaaa0000"]);
  });

  it("recognises only the temporary form of the final name for the container's own number", () => {
    const cs = [
      container(1, "h", { names: ["0123456789ab_p-web-2"] }), // another number's name
      container(2, "h", { names: ["0123456789AB_p-web-2"] }), // not lowercase hex
      container(3, "h", { names: ["0123456789_p-web-3"] }), // too short
    ];
    expect(unfinishedRecreates(cs, finalName).rename).toEqual([]);
    expect(unfinishedRecreates(cs, finalName).remove).toEqual([]);
    // container_name: the final name is the same for every number.
    const fixed = unfinishedRecreates([container(1, "h", { names: ["0123456789ab_db"] })], () => "db");
    expect(fixed.rename.map((r) => r.name)).toEqual(["db"]);
  });
});

describe("half-made containers (created, never started, a network missing)", () => {
  const created = container(1, "h", { state: "created", networks: { p_front: "" } });
  it("is half-made only when never started and missing a network connected after create", () => {
    expect(isHalfMade(created, ["p_back"])).toBe(true);
    expect(isHalfMade(created, ["p_front"])).toBe(false);
    expect(isHalfMade(created, [])).toBe(false);
    expect(isHalfMade({ ...created, state: "running" }, ["p_back"])).toBe(false);
    expect(isHalfMade({ ...created, state: "exited" }, ["p_back"])).toBe(false);
  });
  it("moves half-made kept containers to those recreated, whatever the policy decided", () => {
    const ok = container(2, "h", { state: "created", networks: { p_front: "", p_back: "" } });
    const d = decideService({ configHash: "h", scale: 2 }, [created, ok], "never");
    const fixed = recreateHalfMade(d, ["p_back"]);
    expect({ keep: names(fixed.keep), recreate: names(fixed.recreate) }).toEqual({
      keep: ["p-web-2"],
      recreate: ["p-web-1"],
    });
    expect(recreateHalfMade(d, [])).toBe(d);
  });
});
