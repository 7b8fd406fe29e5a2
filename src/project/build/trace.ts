// BuildKit's progress as the engine streams it from `POST /build?version=2`: JSON messages
// `{"id":"moby.buildkit.trace","aux":"<base64>"}`, each aux a protobuf StatusResponse of moby/buildkit
// api/services/control/control.proto:
//   StatusResponse  vertexes=1 statuses=2 logs=3 warnings=4 (all repeated)
//   Vertex          digest=1 inputs=2 (repeated) name=3 cached=4 started=5 completed=6 error=7 progressGroup=8
//   VertexStatus    ID=1 vertex=2 name=3 current=4 total=5 timestamp=6 started=7 completed=8
//   VertexLog       vertex=1 timestamp=2 stream=3 msg=4
//   VertexWarning   vertex=1 level=2 short=3 detail=4 (repeated) url=5 info=6 ranges=7 (repeated)
//   ProgressGroup (solver/pb/ops.proto)  id=1 name=2 weak=3
//   SourceInfo      filename=1 data=2 (definition=3, language=4 not read)
//   Range           start=1 end=2; Position line=1 character=2
// Times are google.protobuf.Timestamps, given here in ms since the epoch; an absent time is undefined.

import { bytes, int, type ProtoField, readFields, text, timestampMs } from "./proto.js";

/** The JSON message id that carries a StatusResponse in its aux field. */
export const TRACE_ID = "moby.buildkit.trace";

export interface ProgressGroup {
  id: string;
  name: string;
  weak: boolean;
}

/** One step of the build graph (a Dockerfile instruction, `[internal] load …`, `exporting to image`). */
export interface Vertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: number;
  completed?: number;
  /** Empty when the step did not fail. */
  error: string;
  progressGroup?: ProgressGroup;
}

/** A sub-task of a vertex (`transferring context`, `exporting layers`, a layer's download). */
export interface VertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestamp?: number;
  started?: number;
  completed?: number;
}

/** Output of a vertex (a RUN's stdout: stream 1, stderr: stream 2); chunks, not necessarily whole lines. */
export interface VertexLog {
  vertex: string;
  timestamp?: number;
  stream: number;
  data: Uint8Array;
}

export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface VertexWarning {
  vertex: string;
  level: number;
  short: Uint8Array;
  detail: Uint8Array[];
  url: string;
  /** The source file the warning points into, when the frontend says. */
  info?: { filename: string; data: Uint8Array };
  ranges: SourceRange[];
}

export interface BuildStatus {
  vertexes: Vertex[];
  statuses: VertexStatus[];
  logs: VertexLog[];
  warnings: VertexWarning[];
}

function sub(field: ProtoField): ProtoField[] {
  return readFields(bytes(field));
}

function decodeGroup(field: ProtoField): ProgressGroup {
  const group: ProgressGroup = { id: "", name: "", weak: false };
  for (const f of sub(field)) {
    if (f.no === 1) group.id = text(f);
    else if (f.no === 2) group.name = text(f);
    else if (f.no === 3) group.weak = int(f) !== 0;
  }
  return group;
}

function decodeVertex(field: ProtoField): Vertex {
  const v: Vertex = { digest: "", inputs: [], name: "", cached: false, error: "" };
  for (const f of sub(field)) {
    switch (f.no) {
      case 1:
        v.digest = text(f);
        break;
      case 2:
        v.inputs.push(text(f));
        break;
      case 3:
        v.name = text(f);
        break;
      case 4:
        v.cached = int(f) !== 0;
        break;
      case 5:
        v.started = timestampMs(f);
        break;
      case 6:
        v.completed = timestampMs(f);
        break;
      case 7:
        v.error = text(f);
        break;
      case 8:
        v.progressGroup = decodeGroup(f);
        break;
    }
  }
  return v;
}

function decodeStatusEntry(field: ProtoField): VertexStatus {
  const s: VertexStatus = { id: "", vertex: "", name: "", current: 0, total: 0 };
  for (const f of sub(field)) {
    switch (f.no) {
      case 1:
        s.id = text(f);
        break;
      case 2:
        s.vertex = text(f);
        break;
      case 3:
        s.name = text(f);
        break;
      case 4:
        s.current = int(f);
        break;
      case 5:
        s.total = int(f);
        break;
      case 6:
        s.timestamp = timestampMs(f);
        break;
      case 7:
        s.started = timestampMs(f);
        break;
      case 8:
        s.completed = timestampMs(f);
        break;
    }
  }
  return s;
}

function decodeLog(field: ProtoField): VertexLog {
  const l: VertexLog = { vertex: "", stream: 0, data: new Uint8Array(0) };
  for (const f of sub(field)) {
    if (f.no === 1) l.vertex = text(f);
    else if (f.no === 2) l.timestamp = timestampMs(f);
    else if (f.no === 3) l.stream = int(f);
    else if (f.no === 4) l.data = bytes(f);
  }
  return l;
}

function decodePosition(field: ProtoField): { line: number; character: number } {
  const p = { line: 0, character: 0 };
  for (const f of sub(field)) {
    if (f.no === 1) p.line = int(f);
    else if (f.no === 2) p.character = int(f);
  }
  return p;
}

function decodeWarning(field: ProtoField): VertexWarning {
  const w: VertexWarning = {
    vertex: "",
    level: 0,
    short: new Uint8Array(0),
    detail: [],
    url: "",
    ranges: [],
  };
  for (const f of sub(field)) {
    switch (f.no) {
      case 1:
        w.vertex = text(f);
        break;
      case 2:
        w.level = int(f);
        break;
      case 3:
        w.short = bytes(f);
        break;
      case 4:
        w.detail.push(bytes(f));
        break;
      case 5:
        w.url = text(f);
        break;
      case 6: {
        const info: { filename: string; data: Uint8Array } = { filename: "", data: new Uint8Array(0) };
        for (const g of sub(f)) {
          if (g.no === 1) info.filename = text(g);
          else if (g.no === 2) info.data = bytes(g);
        }
        w.info = info;
        break;
      }
      case 7: {
        const range: SourceRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        for (const g of sub(f)) {
          if (g.no === 1) range.start = decodePosition(g);
          else if (g.no === 2) range.end = decodePosition(g);
        }
        w.ranges.push(range);
        break;
      }
    }
  }
  return w;
}

/** A StatusResponse's bytes, decoded. Throws ProtoError on a malformed message. */
export function decodeStatusBytes(buf: Uint8Array): BuildStatus {
  const status: BuildStatus = { vertexes: [], statuses: [], logs: [], warnings: [] };
  for (const f of readFields(buf)) {
    if (f.no === 1) status.vertexes.push(decodeVertex(f));
    else if (f.no === 2) status.statuses.push(decodeStatusEntry(f));
    else if (f.no === 3) status.logs.push(decodeLog(f));
    else if (f.no === 4) status.warnings.push(decodeWarning(f));
  }
  return status;
}

/** The aux of a `moby.buildkit.trace` message (base64 of a StatusResponse), decoded. */
export function decodeStatus(aux: string): BuildStatus {
  return decodeStatusBytes(Buffer.from(aux, "base64"));
}
