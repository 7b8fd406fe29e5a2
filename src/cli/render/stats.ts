// `stats` as the reference 2.26.1 prints it: the docker CLI's container stats (cli/command/container,
// stats_helpers.go and formatter_stats.go, Linux engines): one entry per container computed from an Engine
// API stats sample, shown as table, json or a template. Pure: the command (../commands/stats.ts) reads the
// samples and writes the frames.
import type { ContainerStatsSample } from "../../project/engine/types.js";
import { goFormatG, humanSize } from "./go-format.js";
import { jsonView, type TemplateData, typeLabel } from "./go-template.js";
import { formatRows } from "./table.js";

/** A container's figures, as the docker CLI's StatsEntry. */
export interface StatsEntry {
  /** The 12-character id the container was listed by (docker's `.Container`). */
  container: string;
  /** As the engine gives it, with the leading "/". */
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No figures to show (the stream failed, ended or went silent): every column but the names is "--". */
  invalid: boolean;
}

export const defaultTable =
  "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

export const headers: Record<string, string> = {
  Container: "CONTAINER",
  Name: "NAME",
  ID: "CONTAINER ID",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
};

/** An entry before its first sample (docker's NewStats). */
export function emptyEntry(container: string): StatsEntry {
  return {
    container,
    name: "",
    id: "",
    cpuPercentage: 0,
    memory: 0,
    memoryLimit: 0,
    memoryPercentage: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pidsCurrent: 0,
    invalid: false,
  };
}

/** No sample for too long (docker's SetErrorAndReset): the figures zeroed, the names kept. */
export function resetEntry(entry: StatsEntry): StatsEntry {
  return { ...emptyEntry(entry.container), name: entry.name, id: entry.id, invalid: true };
}

/**
 * CPU use since the sample's previous reading (precpu_stats), in % of one CPU: the container's CPU time
 * over the host's, times the online CPUs (the per-CPU list's length on engines without online_cpus).
 */
export function cpuPercent(sample: ContainerStatsSample): number {
  const cpu = sample.cpu_stats;
  const pre = sample.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const online = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/**
 * Memory in use without the reclaimable page cache, as the docker CLI since 20.10: usage minus
 * total_inactive_file (cgroup v1) or inactive_file (cgroup v2), when smaller than the usage.
 */
export function memoryUsage(memory: ContainerStatsSample["memory_stats"]): number {
  const usage = memory?.usage ?? 0;
  const stats = memory?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

/** Bytes read and written: the io_service_bytes_recursive entries whose op starts with r/R or w/W. */
export function blockIo(sample: ContainerStatsSample): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op?.[0];
    if (op === "r" || op === "R") read += entry.value;
    else if (op === "w" || op === "W") write += entry.value;
  }
  return { read, write };
}

/** Bytes received and sent over all the container's interfaces. */
export function networkIo(sample: ContainerStatsSample): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(sample.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** A sample's entry for the container listed as `container` (docker's collect, Linux branch). */
export function entryFromSample(container: string, sample: ContainerStatsSample): StatsEntry {
  const memory = memoryUsage(sample.memory_stats);
  const limit = sample.memory_stats?.limit ?? 0;
  const block = blockIo(sample);
  const net = networkIo(sample);
  return {
    container,
    name: sample.name ?? "",
    id: sample.id ?? "",
    cpuPercentage: cpuPercent(sample),
    memory,
    memoryLimit: limit,
    memoryPercentage: limit !== 0 ? (memory / limit) * 100 : 0,
    networkRx: net.rx,
    networkTx: net.tx,
    blockRead: block.read,
    blockWrite: block.write,
    pidsCurrent: sample.pids_stats?.current ?? 0,
    invalid: false,
  };
}

const binaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/** go-units BytesSize: binary units, Go's %.4g ("448KiB", "23.54GiB", "0B"). */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < binaryUnits.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${goFormatG(size, 4)}${binaryUnits[unit]}`;
}

/** The template fields of one entry (docker's statsContext); `trunc` shows 12-character ids. */
export function statsContext(entry: StatsEntry, trunc: boolean): TemplateData {
  const dashes = entry.invalid;
  const fields: Record<string, string> = {
    BlockIO: dashes ? "--" : `${humanSize(entry.blockRead)} / ${humanSize(entry.blockWrite)}`,
    CPUPerc: dashes ? "--" : `${entry.cpuPercentage.toFixed(2)}%`,
    Container: entry.container,
    ID: trunc ? entry.id.slice(0, 12) : entry.id,
    MemPerc: dashes ? "--" : `${entry.memoryPercentage.toFixed(2)}%`,
    MemUsage: dashes ? "-- / --" : `${bytesSize(entry.memory)} / ${bytesSize(entry.memoryLimit)}`,
    Name: entry.name.length > 1 ? entry.name.slice(1) : "--",
    NetIO: dashes ? "--" : `${humanSize(entry.networkRx)} / ${humanSize(entry.networkTx)}`,
    PIDs: dashes ? "--" : String(entry.pidsCurrent),
  };
  return { ...fields, [jsonView]: () => fields, [typeLabel]: "*container.statsContext" };
}

/** The entries in `format` (table, json, `table TEMPLATE` or a template); throws on a bad template. */
export function formatStats(format: string, entries: readonly StatsEntry[], trunc: boolean): string {
  return formatRows(
    format,
    entries.map((e) => statsContext(e, trunc)),
    { headers, defaultTable },
  );
}

/**
 * One frame of the live view. Into a pipe or file, as the reference (docker CLI 26): the screen cleared
 * and the cursor homed before each frame. On a terminal, redrawn in place without clearing first (no
 * flicker): home, each line then erase-to-end-of-line, then erase below.
 */
export function liveFrame(text: string, terminal: boolean): string {
  if (!terminal) return `\x1b[2J\x1b[H${text}`;
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return `\x1b[H${lines.map((l) => `${l}\x1b[K\n`).join("")}\x1b[J`;
}
