// Differential test: merge.ts and extends.ts against the reference on the fixtures in test/fixtures/merge.
// The reference runs as `config --no-normalize --no-interpolate --no-path-resolution --no-consistency`,
// which prints the merged document before normalization: the data these modules produce. Two
// normalisations make the outputs comparable, both applied to both sides:
//   - mapping-or-list fields (environment, labels …) the reference prints as "K=V" lists become mappings;
//   - a secret without target gets its default /run/secrets/<source> (the reference fills it on load).
// Short ports and volumes are converted by a small stand-in for the real parser (it fills what the
// reference fills: mode, protocol, bind.create_host_path, volume: {}).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import type { Diagnostic } from "../../../src/project/load/diagnostics.js";
import { resolveExtends } from "../../../src/project/load/extends.js";
import {
  type LongFormField,
  mergeDocuments,
  type Path,
  type TaggedDocument,
} from "../../../src/project/load/merge.js";
import { referenceBinary, referenceSkipNote, repoRoot } from "../../helpers/paths.js";

const fixtures = path.join(repoRoot, "test/fixtures/merge");
const referenceFlags = ["--no-normalize", "--no-interpolate", "--no-path-resolution", "--no-consistency"];

/** The reference's merged document for `files`, run in `dir`. */
function reference(dir: string, files: string[]): unknown {
  const args = [
    ...files.flatMap((f) => ["-f", f]),
    "-p",
    "p",
    "--profile",
    "*",
    "config",
    "--format",
    "json",
  ];
  const out = execFileSync(referenceBinary as string, [...args, ...referenceFlags], {
    cwd: dir,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

/** A YAML file as the YAML step gives it: plain data and the paths of `!reset` / `!override` nodes. */
function readTagged(file: string): TaggedDocument {
  const doc = parseDocument(readFileSync(file, "utf8"), { logLevel: "error" });
  const resets: Path[] = [];
  const overrides: Path[] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    const tag = (node as Node | null)?.tag;
    if (tag === "!reset") resets.push(at);
    if (tag === "!override") overrides.push(at);
    if (isMap(node)) {
      for (const pair of node.items)
        walk(pair.value, [...at, String(isScalar(pair.key) ? pair.key.value : pair.key)]);
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...at, i]);
    }
  };
  walk(doc.contents, []);
  return { value: doc.toJS(), resets, overrides };
}

function toLongForm(field: LongFormField, entry: unknown): unknown[] {
  if (field === "ports")
    return [
      typeof entry === "string"
        ? shortPort(entry)
        : { mode: "ingress", protocol: "tcp", ...(entry as object) },
    ];
  if (field === "volumes" && typeof entry === "string") return [shortVolume(entry)];
  return [entry];
}

function shortPort(entry: string): Record<string, unknown> {
  const [spec = "", protocol = "tcp"] = entry.split("/");
  const parts = spec.split(":");
  const target = Number(parts.pop());
  const [published, host] = [parts.pop(), parts.pop()];
  return {
    mode: "ingress",
    protocol,
    target,
    ...(published ? { published } : {}),
    ...(host ? { host_ip: host } : {}),
  };
}

function shortVolume(entry: string): Record<string, unknown> {
  const [source = "", target] = entry.split(":");
  if (target === undefined) return { type: "volume", target: source, volume: {} };
  const bind = source.startsWith(".") || source.startsWith("/");
  return bind
    ? { type: "bind", source, target, bind: { create_host_path: true } }
    : { type: "volume", source, target, volume: {} };
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === "object" && v !== null && !Array.isArray(v);

function listToMap(value: unknown, bare: null | ""): unknown {
  if (!Array.isArray(value)) return value;
  return Object.fromEntries(
    value.map((e) => {
      const i = String(e).indexOf("=");
      return i < 0 ? [String(e), bare] : [String(e).slice(0, i), String(e).slice(i + 1)];
    }),
  );
}

function comparable(doc: unknown): unknown {
  const copy = structuredClone(doc) as Mapping;
  for (const service of Object.values(isMapping(copy.services) ? copy.services : {})) {
    if (!isMapping(service)) continue;
    service.environment = listToMap(service.environment, null);
    for (const f of ["labels", "annotations", "sysctls"]) service[f] = listToMap(service[f], "");
    if (isMapping(service.build)) service.build.args = listToMap(service.build.args, null);
    if (isMapping(service.deploy)) service.deploy.labels = listToMap(service.deploy.labels, "");
    if (Array.isArray(service.secrets)) {
      service.secrets = service.secrets.map((s) => ({
        target: `/run/secrets/${(s as Mapping).source}`,
        ...s,
      }));
    }
    for (const k of Object.keys(service)) if (service[k] === undefined) delete service[k];
  }
  for (const n of Object.values(isMapping(copy.networks) ? copy.networks : {})) {
    if (isMapping(n) && n.labels !== undefined) n.labels = listToMap(n.labels, "");
  }
  return copy;
}

/** The modules' result: extends resolved in each file on its own, then the files merged in order. */
function ours(dir: string, files: string[]): unknown {
  const readDocument = (f: string): TaggedDocument | Diagnostic => readTagged(path.join(dir, f));
  const documents = files.map((file) => {
    const document0 = readDocument(file) as TaggedDocument;
    const merge = { toLongForm };
    const { document, diagnostics } = resolveExtends({ file, document: document0, readDocument, merge });
    expect(diagnostics).toEqual([]);
    return document;
  });
  return mergeDocuments(documents, { toLongForm });
}

describe.skipIf(!referenceBinary)(`merge and extends agree with the reference${referenceSkipNote}`, () => {
  it("merges three files: every strategy, !reset and !override", () => {
    const dir = path.join(fixtures, "fields");
    const files = ["a.yml", "b.yml", "c.yml"];
    expect(comparable(ours(dir, files))).toEqual(comparable(reference(dir, files)));
  });

  it("resolves extends in each file (same file, other files, chains, rebased paths), then merges", () => {
    const dir = path.join(fixtures, "extends");
    const files = ["compose.yaml", "override.yml"];
    expect(comparable(ours(dir, files))).toEqual(comparable(reference(dir, files)));
  });
});
