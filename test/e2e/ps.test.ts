import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { errorText, type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

// Times ("5 seconds ago", "Up 3 seconds") move between two runs: compared apart from them.
const timeless = (text: string) =>
  text
    .replace(/(Less than a second|About a minute|About an hour|\d+ \w+) ago/g, "T")
    .replace(/Up (Less than a second|About a minute|About an hour|\d+ \w+)/g, "Up T")
    .replace(/ +/g, " ");

describe.skipIf(!referenceBinary)(`ps against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19110));
    // A one-off container and a stopped one, for -a and --status.
    stack.reference("-p", stack.name, "run", "-d", "--name", `${stack.name}-oneoff`, "worker", "sleep", "60");
    stack.reference("-p", stack.name, "stop", "-t", "0", "health");
  });
  afterAll(() => stack?.down());

  const same = (...args: string[]) => {
    const ours = stack.ours("-p", stack.name, ...args);
    const reference = stack.reference("-p", stack.name, ...args);
    expect({ code: ours.code, error: errorText(ours) }).toEqual({
      code: reference.code,
      error: reference.stderr,
    });
    return { ours: ours.stdout, reference: reference.stdout };
  };

  it("prints the same table (columns, widths, port notation, ordering), times aside", () => {
    const exact = same(
      "ps",
      "--format",
      "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.Ports}}",
    );
    expect(exact.ours).toBe(exact.reference);
    expect(exact.ours).toContain("0.0.0.0:19114-19115->19114-19115/tcp");
    for (const args of [["ps"], ["ps", "-a"], ["ps", "--no-trunc"], ["ps", "--status", "exited"]]) {
      const r = same(...args);
      expect(timeless(r.ours)).toBe(timeless(r.reference));
    }
  });

  it("prints the same ids, services, templates and JSON", () => {
    for (const args of [
      ["ps", "-q"],
      ["ps", "-a", "-q"],
      ["ps", "--services"],
      ["ps", "--filter", "status=exited", "--format", "{{.Name}} {{.State}} {{.ExitCode}}"],
      ["ps", "-a", "--format", "{{.Name}}\t{{.Health}}\t{{.Service}}\t{{.Project}}"],
      ["ps", "web", "worker", "--format", "{{.ID}} {{json .Publishers}}"],
      // text/template's control structures and builtins, as the docker CLI's formatter runs them.
      ["ps", "-a", "--format", '{{if eq .State "running"}}up {{.Name}}{{else}}down {{.Name}}{{end}}'],
      [
        "ps",
        "--format",
        "{{.Name}}:{{range .Publishers}} {{.PublishedPort}}->{{.TargetPort}}/{{.Protocol}}{{end}}",
      ],
      [
        "ps",
        "-a",
        "--format",
        '{{range $i, $p := .Publishers}}{{if $i}},{{end}}{{$p.TargetPort}}{{else}}none{{end}} {{len .Publishers}} {{printf "%-10s|" .Service}}{{with .Health}} {{.}}{{end}} {{and .ExitCode (ne .State "running")}}',
      ],
      ["ps", "-a", "--format", "table {{.Name}}\t{{if .Publishers}}ports{{else}}-{{end}}\t{{.State}}"],
    ]) {
      const r = same(...args);
      expect(r.ours).toBe(r.reference);
    }
    const json = same("ps", "-a", "--format", "json");
    const parse = (t: string) =>
      t
        .trim()
        .split("\n")
        .map((l) => {
          const o = JSON.parse(l) as Record<string, unknown>;
          // Times, and the label order (a Go map's) differ between runs.
          for (const k of ["CreatedAt", "RunningFor", "Status"]) delete o[k];
          o.Labels = String(o.Labels).split(",").sort();
          return o;
        });
    expect(parse(json.ours)).toEqual(parse(json.reference));
    expect(Object.keys(parse(json.ours)[0] ?? {})).toContain("Publishers");
  });

  it("fails like the reference on a bad filter or template", () => {
    same("ps", "--filter", "foo=bar");
    const r = stack.ours("-p", stack.name, "ps", "--format", "{{.Nope}}");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("can't evaluate field Nope");
  });

  it("without -p reads the files: unknown services are an error, --orphans=false keeps declared ones", () => {
    const ours = stack.ours(
      "--project-directory",
      stack.dir,
      "-f",
      `${stack.dir}/compose.yaml`,
      "-p",
      stack.name,
      "ps",
      "nosuch",
    );
    expect(ours.code).toBe(1);
    expect(ours.stderr).toContain("no such service: nosuch");
    const a = stack.ours("-f", `${stack.dir}/compose.yaml`, "-p", stack.name, "ps", "--orphans=false", "-q");
    expect(a.stdout.trim().split("\n")).toHaveLength(3);
  });
});
