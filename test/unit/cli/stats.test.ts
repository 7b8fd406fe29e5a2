import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  blockIo,
  bytesSize,
  cpuPercent,
  emptyEntry,
  entryFromSample,
  formatStats,
  liveFrame,
  memoryUsage,
  networkIo,
  resetEntry,
  statsContext,
} from "../../../src/cli/render/stats.js";
import type { ContainerStatsSample } from "../../../src/project/engine/types.js";
import { repoRoot } from "../../helpers/paths.js";

// Samples of GET /containers/{id}/stats?stream=false from the test engine (20.10, cgroup v1): a running
// busybox that had written 20 MB, and a stopped container (the engine's empty stats).
const sample = (name: string) =>
  JSON.parse(
    readFileSync(path.join(repoRoot, "test/fixtures/stats", `stats-${name}.json`), "utf8"),
  ) as ContainerStatsSample;
const running = sample("running");
const stopped = sample("stopped");

const fields = (context: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(context).filter(([, v]) => typeof v === "string"));

describe("stats figures as the docker CLI computes them", () => {
  it("shows a running container's sample as docker stats printed it", () => {
    const entry = entryFromSample("aff8ad23f46a", running);
    expect(fields(statsContext(entry, true))).toEqual({
      BlockIO: "0B / 0B",
      CPUPerc: "0.01%",
      Container: "aff8ad23f46a",
      ID: "aff8ad23f46a",
      MemPerc: "0.08%",
      MemUsage: "18.95MiB / 23.54GiB",
      Name: "stx1-b-1",
      NetIO: "1.05kB / 0B",
      PIDs: "2",
    });
    expect(statsContext(entry, false).ID).toBe(
      "aff8ad23f46a94a90aa4f0bd3b52253638f1e48f4018550303724ad7c7d579ac",
    );
  });

  it("shows a stopped container's empty sample as zeros", () => {
    expect(fields(statsContext(entryFromSample("0a7e26fa64be", stopped), true))).toEqual({
      BlockIO: "0B / 0B",
      CPUPerc: "0.00%",
      Container: "0a7e26fa64be",
      ID: "0a7e26fa64be",
      MemPerc: "0.00%",
      MemUsage: "0B / 0B",
      Name: "stx1-a-1",
      NetIO: "0B / 0B",
      PIDs: "0",
    });
  });

  it("shows -- for an entry without figures, keeping its names; -- for a name not known yet", () => {
    const reset = resetEntry(entryFromSample("aff8ad23f46a", running));
    expect(fields(statsContext(reset, true))).toEqual({
      BlockIO: "--",
      CPUPerc: "--",
      Container: "aff8ad23f46a",
      ID: "aff8ad23f46a",
      MemPerc: "--",
      MemUsage: "-- / --",
      Name: "stx1-b-1",
      NetIO: "--",
      PIDs: "--",
    });
    const fresh = statsContext(emptyEntry("0a7e26fa64be"), true);
    expect([fresh.ID, fresh.Name, fresh.CPUPerc, fresh.MemUsage]).toEqual(["", "--", "0.00%", "0B / 0B"]);
  });

  it("takes CPU % from the deltas with precpu_stats, times the online CPUs (else the per-CPU count)", () => {
    const cpu = (total: number, system: number, extra: object = {}) => ({
      cpu_usage: { total_usage: total, percpu_usage: [0, 0, 0, 0] },
      system_cpu_usage: system,
      ...extra,
    });
    expect(cpuPercent({ cpu_stats: cpu(300, 2000, { online_cpus: 2 }), precpu_stats: cpu(100, 1000) })).toBe(
      40,
    );
    expect(cpuPercent({ cpu_stats: cpu(300, 2000), precpu_stats: cpu(100, 1000) })).toBe(80);
    expect(cpuPercent({ cpu_stats: cpu(100, 2000, { online_cpus: 2 }), precpu_stats: cpu(100, 1000) })).toBe(
      0,
    );
    expect(cpuPercent({ cpu_stats: cpu(300, 1000, { online_cpus: 2 }), precpu_stats: cpu(100, 1000) })).toBe(
      0,
    );
    expect(cpuPercent(running)).toBeCloseTo(0.005044, 5);
  });

  it("leaves the inactive page cache out of memory: total_inactive_file (v1), inactive_file (v2)", () => {
    expect(memoryUsage({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } })).toBe(700);
    expect(memoryUsage({ usage: 1000, stats: { inactive_file: 100 } })).toBe(900);
    expect(memoryUsage({ usage: 1000, stats: { total_inactive_file: 2000, inactive_file: 100 } })).toBe(900);
    expect(memoryUsage({ usage: 1000, stats: { inactive_file: 2000 } })).toBe(1000);
    expect(memoryUsage(undefined)).toBe(0);
    const v2 = entryFromSample("c", {
      memory_stats: { usage: 4096, limit: 8192, stats: { inactive_file: 0 } },
    });
    expect(statsContext(v2, true).MemPerc).toBe("50.00%");
  });

  it("sums block I/O by the op's first letter, and network I/O over every interface", () => {
    const io = blockIo({
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: "Read", value: 4096 },
          { op: "write", value: 1000 },
          { op: "Write", value: 24 },
          { op: "read", value: 4 },
          { op: "Sync", value: 99 },
          { op: "Total", value: 99 },
          { op: "", value: 99 },
        ],
      },
    });
    expect(io).toEqual({ read: 4100, write: 1024 });
    expect(networkIo({ networks: { eth0: { rx_bytes: 1, tx_bytes: 2 }, eth1: { rx_bytes: 10 } } })).toEqual({
      rx: 11,
      tx: 2,
    });
    const entry = { ...emptyEntry("c"), networkRx: 999_999, networkTx: 1_500_000, blockRead: 4100 };
    expect([statsContext(entry, true).NetIO, statsContext(entry, true).BlockIO]).toEqual([
      "1e+03kB / 1.5MB",
      "4.1kB / 0B",
    ]);
  });

  it("prints memory in binary units with Go's %.4g (go-units BytesSize)", () => {
    expect(
      [0, 1023, 1024, 448 * 1024, 1_048_575, 19_865_600, 25_276_157_952, 10 * 1024 ** 3].map(bytesSize),
    ).toEqual(["0B", "1023B", "1KiB", "448KiB", "1024KiB", "18.95MiB", "23.54GiB", "10GiB"]);
  });
});

describe("stats output formats", () => {
  const entries = [entryFromSample("aff8ad23f46a", running), entryFromSample("0a7e26fa64be", stopped)];

  it("prints docker's default table", () => {
    expect(formatStats("", entries, true)).toBe(
      "CONTAINER ID   NAME       CPU %     MEM USAGE / LIMIT     MEM %     NET I/O       BLOCK I/O   PIDS\n" +
        "aff8ad23f46a   stx1-b-1   0.01%     18.95MiB / 23.54GiB   0.08%     1.05kB / 0B   0B / 0B     2\n" +
        "0a7e26fa64be   stx1-a-1   0.00%     0B / 0B               0.00%     0B / 0B       0B / 0B     0\n",
    );
    expect(formatStats("table", entries, true)).toBe(formatStats("", entries, true));
  });

  it("prints JSON lines with docker's keys, templates and custom tables", () => {
    expect(formatStats("json", entries.slice(1), true)).toBe(
      '{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"0a7e26fa64be","ID":"0a7e26fa64be",' +
        '"MemPerc":"0.00%","MemUsage":"0B / 0B","Name":"stx1-a-1","NetIO":"0B / 0B","PIDs":"0"}\n',
    );
    expect(formatStats("{{.Name}}", entries, true)).toBe("stx1-b-1\nstx1-a-1\n");
    expect(formatStats("table {{.Name}}\t{{.Container}}\t{{.PIDs}}", entries, true)).toBe(
      "NAME       CONTAINER      PIDS\nstx1-b-1   aff8ad23f46a   2\nstx1-a-1   0a7e26fa64be   0\n",
    );
    expect(() => formatStats("{{.Nope}}", entries, true)).toThrow(/Nope in type \*container\.statsContext/);
  });

  it("redraws frames: the screen cleared into a pipe (as the reference), in place on a terminal", () => {
    expect(liveFrame("A\nB\n", false)).toBe("\x1b[2J\x1b[HA\nB\n");
    expect(liveFrame("A\nB\n", true)).toBe("\x1b[HA\x1b[K\nB\x1b[K\n\x1b[J");
  });
});
