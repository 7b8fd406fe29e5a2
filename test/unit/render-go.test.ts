import { describe, expect, it } from "vitest";
import {
  displayablePorts,
  goFormatG,
  goJson,
  humanDuration,
  humanSize,
} from "../../src/cli/render/go-format.js";
import { parseTemplate } from "../../src/cli/render/go-template.js";
import { LogPrinter } from "../../src/cli/render/log-printer.js";
import { formatRows, prettySection } from "../../src/cli/render/table.js";
import { tabwrite } from "../../src/cli/render/tabwriter.js";

describe("tabwriter like Go's", () => {
  it("pads every column to its widest cell plus padding, with a minimum width; the last text is not padded", () => {
    expect(tabwrite("A\tBB\tC\nxxxx\ty\tlast\n", { minWidth: 3, padding: 2 })).toBe(
      "A     BB  C\nxxxx  y   last\n",
    );
  });
  it("pads the rows' trailing tab-terminated cell, not the header's last text (top's tables)", () => {
    const text = "UID\tCMD\nroot\tsleep 3600\t\n\n";
    expect(tabwrite(text, { minWidth: 5, padding: 3 })).toBe("UID    CMD\nroot   sleep 3600   \n\n");
  });
  it("counts characters, not bytes", () => {
    expect(tabwrite("é…\tx\nab\ty\n", { minWidth: 1, padding: 1 })).toBe("é… x\nab y\n");
  });
});

describe("docker's port notation (2.26.1)", () => {
  it("groups ports published on the same number and unpublished ones; lists mappings after", () => {
    const ports = [
      { IP: "0.0.0.0", PrivatePort: 8001, PublicPort: 8001, Type: "tcp" },
      { IP: "0.0.0.0", PrivatePort: 8000, PublicPort: 8000, Type: "tcp" },
      { PrivatePort: 53, Type: "udp" },
      { PrivatePort: 54, Type: "udp" },
      { IP: "::", PrivatePort: 80, PublicPort: 19101, Type: "tcp" },
      { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 19101, Type: "tcp" },
    ];
    expect(displayablePorts(ports)).toBe(
      "53-54/udp, 0.0.0.0:8000-8001->8000-8001/tcp, 0.0.0.0:19101->80/tcp, :::19101->80/tcp",
    );
  });
});

describe("go-units and fmt", () => {
  it("human sizes with 3 significant digits", () => {
    expect(humanSize(1984172)).toBe("1.98MB");
    expect(humanSize(0)).toBe("0B");
    expect(humanSize(120)).toBe("120B");
    expect(humanSize(1000)).toBe("1kB");
    expect(humanSize(999_999)).toBe("1e+03kB");
    expect(goFormatG(0.00001234, 3)).toBe("1.23e-05");
  });
  it("human durations", () => {
    expect(humanDuration(500)).toBe("Less than a second");
    expect(humanDuration(5_000)).toBe("5 seconds");
    expect(humanDuration(90_000)).toBe("About a minute");
    expect(humanDuration(3 * 3_600_000)).toBe("3 hours");
    expect(humanDuration(3 * 86_400_000)).toBe("3 days");
  });
  it("json.Marshal escapes HTML characters", () => {
    expect(goJson({ a: "x->y & <z>" })).toBe('{"a":"x-\\u003ey \\u0026 \\u003cz\\u003e"}');
  });
});

describe("Go template subset", () => {
  const row = { Name: "p-web-1", Label: (k: unknown) => (k === "a" ? "b" : "") };
  it("fields, methods with arguments, functions and pipelines", () => {
    expect(parseTemplate('{{.Name}} {{.Label "a"}} {{upper .Name}} {{.Name | lower}}').execute(row)).toBe(
      "p-web-1 b P-WEB-1 p-web-1",
    );
  });
  it("fails loudly on unknown fields and functions, unclosed blocks and what it does not have", () => {
    expect(() => parseTemplate("{{.Nope}}").execute(row)).toThrow(/can't evaluate field Nope/);
    expect(() => parseTemplate("{{nope .Name}}")).toThrow(/function "nope" not defined/);
    expect(() => parseTemplate("{{if .Name}}x")).toThrow(/unexpected EOF/);
    expect(() => parseTemplate("x{{end}}")).toThrow(/unexpected \{\{end\}\}/);
    expect(() => parseTemplate('{{define "x"}}{{end}}')).toThrow(/not supported/);
    expect(() => parseTemplate("{{$y}}").execute(row)).toThrow(/undefined variable/);
  });
  it("if / else if / else with text/template's truth", () => {
    const t = parseTemplate('{{if eq .State "running"}}up{{else if .Health}}{{.Health}}{{else}}down{{end}}');
    expect(t.execute({ State: "running", Health: "" })).toBe("up");
    expect(t.execute({ State: "exited", Health: "unhealthy" })).toBe("unhealthy");
    expect(t.execute({ State: "exited", Health: "" })).toBe("down");
    const truth = parseTemplate("{{if .}}T{{else}}F{{end}}");
    expect(
      [0, 1, "", "x", [], [1], null, false, true, new Map(), {}].map((v) => truth.execute(v)).join(""),
    ).toBe("FTFTFTFFTFT");
  });
  it("range over lists and maps (sorted keys), with variables, $ and else; with sets the dot", () => {
    const data = {
      Name: "web",
      Ports: [
        { Port: 80, Proto: "tcp" },
        { Port: 53, Proto: "udp" },
      ],
      Labels: { b: "2", a: "1" },
      Empty: [],
    };
    expect(parseTemplate("{{range .Ports}}{{.Port}}/{{.Proto}} {{end}}").execute(data)).toBe(
      "80/tcp 53/udp ",
    );
    expect(
      parseTemplate("{{range $i, $p := .Ports}}{{$i}}:{{$p.Port}}@{{$.Name}} {{end}}").execute(data),
    ).toBe("0:80@web 1:53@web ");
    expect(parseTemplate("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}").execute(data)).toBe("a=1;b=2;");
    expect(parseTemplate("{{range .Empty}}x{{else}}none{{end}}").execute(data)).toBe("none");
    expect(parseTemplate("{{with .Labels}}{{.a}}{{end}}{{with .Empty}}x{{else}}-{{end}}").execute(data)).toBe(
      "1-",
    );
    expect(parseTemplate('{{$n := .Name}}{{upper $n}} {{$n = "x"}}{{$n}}').execute(data)).toBe("WEB x");
    expect(parseTemplate("{{- range .Ports }}\n  {{ .Port }}\n{{- end }}").execute(data)).toBe(
      "\n  80\n  53",
    );
  });
  it("builtins: and/or (lazy), not, len, index, comparisons, print, printf, parentheses, comments", () => {
    const data = { Name: "web", N: 3, List: ["a", "b"], Map: { k: "v" } };
    expect(parseTemplate('{{and .N .Name}} {{or 0 "" .Name}} {{not .N}} {{and 0 .Nope}}').execute(data)).toBe(
      "web web false 0",
    );
    expect(
      parseTemplate('{{len .Name}} {{len .List}} {{len .Map}} {{index .List 1}} {{index .Map "k"}}').execute(
        data,
      ),
    ).toBe("3 2 1 b v");
    expect(
      parseTemplate(
        '{{eq .N 1 2 3}} {{ne .Name "db"}} {{lt .N 4}} {{ge .Name "x"}} {{if (gt (len .List) 1)}}many{{end}}',
      ).execute(data),
    ).toBe("true true true false many");
    expect(() => parseTemplate('{{eq .N "3"}}').execute(data)).toThrow(/incompatible types for comparison/);
    expect(
      parseTemplate(
        '{{print .N .N "x" .N}}|{{printf "%-5s|%3d|%05.1f|%q|%v" .Name .N 2.26 .Name .List}}',
      ).execute(data),
    ).toBe('3 3x3|web  |  3|002.3|"web"|[a b]');
    expect(parseTemplate("a{{/* a comment */}}b{{- /* trimmed */ -}} c").execute(data)).toBe("abc");
    expect(parseTemplate('{{.Name | printf "%s!"}} {{"x" | eq "x"}}').execute(data)).toBe("web! true");
  });
  it("table formats print a header row; unknown header fields print <no value> like the reference", () => {
    const out = formatRows("table {{.Name}}\t{{.Health}}", [{ Name: "x", Health: "healthy" }], {
      headers: { Name: "NAME" },
      defaultTable: "",
    });
    expect(out).toBe("NAME      <no value>\nx         healthy\n");
  });
  it("compose's pretty section uses a minimum width of 20", () => {
    expect(prettySection(["NAME", "STATUS"], [["p", "running(1)"]])).toBe(
      "NAME                STATUS\np                   running(1)\n",
    );
  });
});

const sink = (write: (t: string) => void) => ({
  write: (t: string) => {
    write(t);
    return true;
  },
});

describe("log printer", () => {
  it("pads prefixes to the longest name + 1, never splits a line, buffers partial lines per feed", () => {
    let out = "";
    const printer = new LogPrinter(
      sink((t) => {
        out += t;
      }),
      { color: false, prefix: true },
    );
    printer.register("web-1", "worker-10");
    const a = printer.feed("web-1");
    const b = printer.feed("worker-10");
    a.write(Buffer.from("hel"));
    b.write(Buffer.from("one\ntw"));
    a.write(Buffer.from("lo\n"));
    b.end();
    a.end();
    expect(out).toBe("worker-10  | one\nweb-1      | hello\nworker-10  | tw\n");
  });
  it("colours prefixes in the reference's order and announces exits in the container's colour", () => {
    let out = "";
    const printer = new LogPrinter(
      sink((t) => {
        out += t;
      }),
      { color: true, prefix: true },
    );
    printer.register("a-1", "b-1");
    printer.lines("b-1", ["x"]);
    printer.status("a-1", "exited with code 3");
    expect(out).toBe("\x1b[2K\x1b[33mb-1  | \x1b[0mx\n\x1b[36ma-1 exited with code 3\n\x1b[0m");
  });
});
