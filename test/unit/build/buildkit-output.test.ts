import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BuildkitPrinter,
  formatBytes,
  logTime,
  serviceVertexName,
  vertexEvent,
} from "../../../src/project/build/buildkit-output.js";
import {
  type BuildStatus,
  decodeStatus,
  TRACE_ID,
  type Vertex,
  type VertexStatus,
} from "../../../src/project/build/trace.js";

const fixtures = join(import.meta.dirname, "../../fixtures/buildkit");
const T = 1_800_000_000_000;

function fixture(name: string): string {
  return readFileSync(join(fixtures, name), "utf8");
}

/** A recorded stream through a printer: its lines and the printer. */
function replay(name: string, desc?: string): { lines: string[]; printer: BuildkitPrinter } {
  const lines: string[] = [];
  const printer = new BuildkitPrinter((line) => lines.push(line), desc ? { desc } : {});
  for (const line of fixture(name).split("\n").filter(Boolean)) {
    const m = JSON.parse(line) as { service: string; id?: string; aux?: string };
    if (m.id === TRACE_ID && m.aux) printer.update(m.service, decodeStatus(m.aux));
  }
  printer.finish();
  return { lines, printer };
}

function status(part: Partial<BuildStatus>): BuildStatus {
  return { vertexes: [], statuses: [], logs: [], warnings: [], ...part };
}

function vtx(digest: string, name: string, more: Partial<Vertex> = {}): Vertex {
  return { digest, inputs: [], name, cached: false, error: "", ...more };
}

function st(vertex: string, id: string, more: Partial<VertexStatus> = {}): VertexStatus {
  return { id, vertex, name: "", current: 0, total: 0, ...more };
}

function log(vertex: string, at: number, text: string) {
  return { vertex, timestamp: at, stream: 1, data: Buffer.from(text) };
}

function printer(): { lines: string[]; p: BuildkitPrinter } {
  const lines: string[] = [];
  return { lines, p: new BuildkitPrinter((line) => lines.push(line)) };
}

/** Output split into blocks (one per vertex header), `#N` numbers, times and image ids made comparable. */
function blocks(lines: string[]): string[] {
  return lines
    .join("\n")
    .split("\n\n")
    .map((block) =>
      block
        .replace(/^#\d+ /gm, "#N ")
        .replace(/^#N \d+\.\d+ /gm, "#N <t> ")
        .replace(/ \d+\.\d+s\b/g, " <d>s")
        .replace(/sha256:[0-9a-f]{64}/g, "sha256:<id>"),
    );
}

/** The blocks both ways of sending the context have alike: not the `[internal] load …` ones. */
function steps(lines: string[]): string[] {
  return blocks(lines).filter((b) => !/^#N \[\w+ internal\] load|^#N \[\w+\] copy \/context \/|^#0 /.test(b));
}

describe("serviceVertexName", () => {
  it("puts the service into the vertex name as buildx does", () => {
    expect(serviceVertexName("web", "[internal] load .dockerignore")).toBe(
      "[web internal] load .dockerignore",
    );
    expect(serviceVertexName("web", "[stage-0 2/3] RUN exit 3")).toBe("[web stage-0 2/3] RUN exit 3");
    expect(serviceVertexName("web", "[2/3] RUN exit 3")).toBe("[web 2/3] RUN exit 3");
    expect(serviceVertexName("web", "exporting to image")).toBe("[web] exporting to image");
  });
});

describe("formats", () => {
  it("prints sizes and log times as progressui does", () => {
    expect(formatBytes(2)).toBe("2B");
    expect(formatBytes(999)).toBe("999B");
    expect(formatBytes(1234)).toBe("1.23kB");
    expect(formatBytes(4_500_000)).toBe("4.50MB");
    expect(logTime(0.4531)).toBe("0.453");
    expect(logTime(12.3456)).toBe("12.35");
    expect(logTime(123.46)).toBe("123.5");
  });
});

describe("BuildkitPrinter on recorded streams", () => {
  it("prints a build's steps as the reference does for the same Dockerfile", () => {
    const ours = replay("single.jsonl", 'building with "default" instance using docker driver').lines;
    const reference = fixture("single.reference.txt").trimEnd().split("\n");
    expect(ours[0]).toBe(reference[0]);
    expect(steps(ours)).toEqual(steps(reference));
    // the comparison covers the RUN output and the export
    expect(steps(ours)).toContain(
      "#N [web 5/5] RUN printf 'a\\nno newline at the end'\n#N <t> a\n#N <t> no newline at the end\n#N DONE <d>s",
    );
    expect(steps(ours).at(-1)).toBe(
      [
        "#N [web] exporting to image",
        "#N exporting layers <d>s done",
        "#N writing image sha256:<id> done",
        "#N naming to docker.io/library/bkprint-web done",
        "#N DONE <d>s",
      ].join("\n"),
    );
  });

  it("prints a failed step, its error and the summary as the reference does", () => {
    const { lines, printer: p } = replay("failing.jsonl");
    const reference = fixture("failing.reference.txt").trimEnd().split("\n");
    const step =
      "[web 2/3] RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo out $i; done; printf partial; exit 3";
    const error =
      "executor failed running [/bin/sh -c for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo out $i; done; printf partial; exit 3]: exit code: 3";
    for (const out of [lines, reference]) {
      const block = blocks(out).find((b) => b.startsWith(`#N ${step}`));
      expect(block?.split("\n")).toEqual([
        `#N ${step}`,
        ...Array.from({ length: 12 }, (_, i) => `#N <t> out ${i + 1}`),
        "#N <t> partial",
        `#N ERROR: ${error}`,
        "------",
        ` > ${step}:`,
        // progressui's ring of the last lines: the lines printed while the output ended in a partial line
        // share one slot, so the summary shows the partial line twice and the first line only
        expect.stringMatching(/^\d\.\d{3} partial$/),
        expect.stringMatching(/^\d\.\d{3} partial$/),
        expect.stringMatching(/^\d\.\d{3} out 1$/),
        "------",
        ...(out === reference ? [`failed to solve: ${error}`] : []),
      ]);
    }
    expect(p.failure("web")).toEqual({
      service: "web",
      step,
      error,
      exitCode: 3,
      logs: ["out 4", "out 5", "out 6", "out 7", "out 8", "out 9", "out 10", "out 11", "out 12", "partial"],
    });
    expect(p.failure("api")).toBeUndefined();
  });

  it("numbers the vertices of services built at once in one sequence, shared digests once", () => {
    const { lines } = replay("parallel.jsonl");
    const headers = lines.filter((l) => /^#\d+ \[/.test(l));
    for (const h of headers) expect(h).toMatch(/^#\d+ \[(web|api)[ \]]/);
    // numbers are given in order of first appearance, without gaps
    const firsts: number[] = [];
    for (const h of headers) {
      const n = Number(/^#(\d+)/.exec(h)?.[1]);
      if (!firsts.includes(n)) firsts.push(n);
    }
    expect(firsts).toEqual(Array.from({ length: firsts.length }, (_, i) => i + 1));
    // both services' steps appear, each step once with its number
    const numberOf = (name: string) =>
      headers.filter((h) => h.endsWith(name)).map((h) => /^#(\d+)/.exec(h)?.[1]);
    expect(new Set(numberOf("[web 4/5] RUN echo first && sleep 0.3 && echo second")).size).toBe(1);
    expect(
      new Set(numberOf("[api build 1/1] RUN echo building && sleep 0.2 && echo built > /out")).size,
    ).toBe(1);
    // one FROM and one exporting vertex serve both services, as in the reference
    const from = headers.filter((h) => h.includes("FROM docker.io/library/busybox:1.36"));
    expect(new Set(from.map((h) => h.split(" ")[0])).size).toBe(1);
    const reference = fixture("parallel.reference.txt").split("\n");
    const refFrom = reference.filter((l) => /^#\d+ \[/.test(l) && l.includes("FROM docker.io"));
    expect(new Set(refFrom.map((h) => h.split(" ")[0])).size).toBe(1);
    const exporting = lines.filter((l) => l.endsWith("exporting to image"));
    expect(new Set(exporting.map((h) => h.split(" ")[0])).size).toBe(1);
    expect(lines.filter((l) => /naming to docker.io\/library\/bkprint-(web|api) done$/.test(l))).toHaveLength(
      2,
    );
  });

  it("prints steps from the cache as CACHED, as the reference does", () => {
    const ours = steps(replay("cached.jsonl").lines);
    const reference = steps(fixture("cached.reference.txt").trimEnd().split("\n"));
    const cached = (b: string[]) => b.filter((x) => x.endsWith("\n#N CACHED"));
    expect(cached(ours)).toEqual(cached(reference));
    expect(cached(ours)).toContain(
      "#N [api build 1/1] RUN echo building && sleep 0.2 && echo built > /out\n#N CACHED",
    );
    expect(ours.at(-1)).toBe(reference.at(-1));
  });
});

describe("BuildkitPrinter", () => {
  it("shares one numbering between services and names each vertex after its service", () => {
    const { lines, p } = printer();
    p.update("web", status({ vertexes: [vtx("a", "[internal] load remote build context", { started: T })] }));
    p.update(
      "api",
      status({ vertexes: [vtx("b", "[1/2] FROM busybox", { started: T + 200, completed: T + 300 })] }),
    );
    p.update(
      "web",
      status({
        vertexes: [vtx("a", "[internal] load remote build context", { started: T, completed: T + 400 })],
      }),
    );
    p.update(
      "web",
      status({ vertexes: [vtx("c", "exporting to image", { started: T + 600, completed: T + 900 })] }),
    );
    p.finish();
    expect(lines).toEqual([
      "#1 [web internal] load remote build context",
      "#1 ...",
      "",
      "#2 [api 1/2] FROM busybox",
      "#2 DONE 0.1s",
      "",
      "#1 [web internal] load remote build context",
      "#1 DONE 0.4s",
      "",
      "#3 [web] exporting to image",
      "#3 DONE 0.3s",
    ]);
  });

  it("gives a digest built by two services one number, named after the last one", () => {
    const { lines, p } = printer();
    p.update(
      "api",
      status({
        vertexes: [vtx("f", "[base 1/2] FROM busybox", { started: T, completed: T + 1, cached: true })],
      }),
    );
    p.update(
      "web",
      status({ vertexes: [vtx("w", "[1/2] WORKDIR /x", { started: T + 200, completed: T + 300 })] }),
    );
    p.update(
      "web",
      status({
        vertexes: [
          vtx("f", "[base 1/2] FROM busybox", { started: T + 500, completed: T + 501, cached: true }),
        ],
      }),
    );
    expect(lines).toEqual([
      "#1 [api base 1/2] FROM busybox",
      "#1 CACHED",
      "",
      "#2 [web 1/2] WORKDIR /x",
      "#2 DONE 0.1s",
      "",
      "#1 [web base 1/2] FROM busybox",
      "#1 CACHED",
    ]);
  });

  it("prints RUN output with the time since the step started, lines cut across messages joined", () => {
    const { lines, p } = printer();
    p.update("web", status({ vertexes: [vtx("r", "[2/2] RUN make", { started: T })] }));
    p.update("web", status({ logs: [log("r", T + 1234, "one\ntw")] }));
    p.update("web", status({ logs: [log("r", T + 12_345, "o\nthree")] }));
    p.update("web", status({ logs: [log("r", T + 123_456, " and more\nfour\n")] }));
    p.update(
      "web",
      status({ vertexes: [vtx("r", "[2/2] RUN make", { started: T, completed: T + 130_000 })] }),
    );
    p.finish();
    expect(lines).toEqual([
      "#1 [web 2/2] RUN make",
      "#1 1.234 one",
      "#1 1.234 two",
      "#1 12.35 three and more",
      "#1 123.5 four",
      "#1 DONE 130.0s",
    ]);
  });

  it("prints statuses with sizes and times, a running one again only after 5% or 5 s", () => {
    const { lines, p } = printer();
    const ctx = (current: number, at: number, completed?: number) =>
      st("x", "transferring context:", { current, started: T, timestamp: at, completed });
    p.update("web", status({ vertexes: [vtx("x", "[internal] load build context", { started: T })] }));
    p.update("web", status({ statuses: [ctx(1000, T + 200)] }));
    p.update("web", status({ statuses: [ctx(2000, T + 400)] }));
    p.update("web", status({ statuses: [ctx(3000, T + 5300)] }));
    p.update("web", status({ statuses: [ctx(4_500_000, T + 5600, T + 5600)] }));
    p.update(
      "web",
      status({
        statuses: [st("x", "layer", { current: 50, total: 100, started: T + 5800, timestamp: T + 5800 })],
      }),
    );
    p.update(
      "web",
      status({
        statuses: [st("x", "layer", { current: 52, total: 100, started: T + 5800, timestamp: T + 6000 })],
      }),
    );
    p.update(
      "web",
      status({
        statuses: [st("x", "layer", { current: 60, total: 100, started: T + 5800, timestamp: T + 6200 })],
      }),
    );
    p.update(
      "web",
      status({
        statuses: [
          st("x", "layer", {
            current: 100,
            total: 100,
            started: T + 5800,
            timestamp: T + 6300,
            completed: T + 6300,
          }),
        ],
      }),
    );
    p.update(
      "web",
      status({ vertexes: [vtx("x", "[internal] load build context", { started: T, completed: T + 6500 })] }),
    );
    expect(lines).toEqual([
      "#1 [web internal] load build context",
      "#1 transferring context: 1.00kB 0.2s",
      "#1 transferring context: 3.00kB 5.3s",
      "#1 transferring context: 4.50MB 5.6s done",
      "#1 layer 50B / 100B",
      "#1 layer 60B / 100B 0.4s",
      "#1 layer 100B / 100B 0.5s done",
      "#1 DONE 6.5s",
    ]);
  });

  it("prints a failed step's error and, at the end, its last lines between dashes", () => {
    const { lines, p } = printer();
    const run = vtx("r", "[stage-0 2/3] RUN exit 3", { started: T });
    p.update("web", status({ vertexes: [run] }));
    p.update("web", status({ logs: [log("r", T + 100, "building\nalmost\n")] }));
    const error = 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3';
    p.update("web", status({ vertexes: [{ ...run, completed: T + 300, error }] }));
    expect(p.current("web")).toBeUndefined();
    p.finish();
    expect(lines).toEqual([
      "#1 [web stage-0 2/3] RUN exit 3",
      "#1 0.100 building",
      "#1 0.100 almost",
      `#1 ERROR: ${error}`,
      "------",
      " > [web stage-0 2/3] RUN exit 3:",
      "0.100 building",
      "0.100 almost",
      "------",
    ]);
    expect(p.failure("web")).toEqual({
      service: "web",
      step: "[web stage-0 2/3] RUN exit 3",
      error,
      exitCode: 3,
      logs: ["building", "almost"],
    });
  });

  it("prints a canceled step as CANCELED, without a summary", () => {
    const { lines, p } = printer();
    const run = vtx("r", "[2/2] RUN sleep 9", { started: T });
    p.update("ok", status({ vertexes: [run] }));
    p.update(
      "ok",
      status({
        vertexes: [
          { ...run, completed: T + 300, error: "rpc error: code = Canceled desc = context canceled" },
        ],
      }),
    );
    p.finish();
    expect(lines).toEqual(["#1 [ok 2/2] RUN sleep 9", "#1 CANCELED"]);
    expect(p.failure("ok")).toBeUndefined();
  });

  it("prints what changed within 100 ms at once, as progressui's display rate", () => {
    const twice = (gap: number) => {
      const { lines, p } = printer();
      const v = (started: number, completed?: number) =>
        vtx("a", "[internal] load remote build context", { started, completed });
      p.update("web", status({ vertexes: [v(T)] }));
      p.update("web", status({ vertexes: [v(T, T + 1)] }));
      p.update("web", status({ vertexes: [v(T + 2 + gap)] }));
      p.update("web", status({ vertexes: [v(T + 2 + gap, T + 3 + gap)] }));
      p.finish();
      return lines;
    };
    expect(twice(0)).toEqual(["#1 [web internal] load remote build context", "#1 DONE 0.0s"]);
    expect(twice(1000)).toEqual([
      "#1 [web internal] load remote build context",
      "#1 DONE 0.0s",
      "",
      "#1 [web internal] load remote build context",
      "#1 DONE 0.0s",
    ]);
  });

  it("prints the step running now of a service for a live view", () => {
    const { p } = printer();
    p.update("web", status({ vertexes: [vtx("a", "[1/3] FROM busybox", { started: T, completed: T + 1 })] }));
    p.update(
      "web",
      status({ vertexes: [vtx("b", "[2/3] RUN pip install -r requirements.txt", { started: T + 5 })] }),
    );
    p.update("api", status({ vertexes: [vtx("c", "[1/2] FROM busybox", { started: T + 7 })] }));
    expect(p.current("web")).toBe("[web 2/3] RUN pip install -r requirements.txt");
    expect(p.current("web", 20)).toBe("[web 2/3] RUN pip i…");
    expect(p.current("api")).toBe("[api 1/2] FROM busybox");
    expect(p.current("db")).toBeUndefined();
  });

  it("prints a warning of a step with the step's next lines", () => {
    const { lines, p } = printer();
    p.update("web", status({ vertexes: [vtx("a", "[1/1] FROM busybox", { started: T })] }));
    p.update(
      "web",
      status({
        warnings: [
          {
            vertex: "a",
            level: 1,
            short: Buffer.from("FromAsCasing: 'as' and 'FROM' keywords' casing do not match"),
            detail: [],
            url: "",
            ranges: [],
          },
        ],
      }),
    );
    p.update(
      "web",
      status({ vertexes: [vtx("a", "[1/1] FROM busybox", { started: T, completed: T + 200 })] }),
    );
    expect(lines).toEqual([
      "#1 [web 1/1] FROM busybox",
      "#1 WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
      "#1 DONE 0.2s",
    ]);
  });

  it("prints the members of a progress group as one vertex named after the group", () => {
    const { lines, p } = printer();
    const group = { id: "g", name: "[web 2/2] COPY --link . .", weak: false };
    p.update(
      "web",
      status({
        vertexes: [
          vtx("m1", "copy a", { started: T, completed: T + 100, progressGroup: group }),
          vtx("m2", "copy b", { started: T + 50, completed: T + 300, progressGroup: group }),
        ],
      }),
    );
    p.finish();
    expect(lines).toEqual(["#1 [web 2/2] COPY --link . .", "#1 DONE 0.3s"]);
  });
});

describe("vertexEvent", () => {
  it("turns a vertex into a progress event under its service", () => {
    expect(vertexEvent("web", vtx("a", "[2/3] RUN make"))).toEqual({
      id: "[web 2/3] RUN make",
      parent: "web",
      text: "Waiting",
      status: "working",
    });
    expect(vertexEvent("web", vtx("a", "[2/3] RUN make", { started: T })).text).toBe("Running");
    expect(vertexEvent("web", vtx("a", "[2/3] RUN make", { started: T, completed: T + 1 }))).toMatchObject({
      text: "Done",
      status: "done",
    });
    expect(
      vertexEvent("web", vtx("a", "[1/3] FROM x", { started: T, completed: T, cached: true })).text,
    ).toBe("Cached");
    expect(
      vertexEvent("web", vtx("a", "[2/3] RUN exit 3", { started: T, completed: T, error: "exit code: 3" })),
    ).toEqual({
      id: "[web 2/3] RUN exit 3",
      parent: "web",
      text: "Error",
      status: "error",
      details: "exit code: 3",
    });
  });
});
