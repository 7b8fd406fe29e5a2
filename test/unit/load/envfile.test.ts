// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose templates, not JS ones
// Expected values were read from docker compose v2.26 `config` (see interpolate.reference.test.ts).
import { describe, expect, it } from "vitest";
import { parseEnvFile, unescapeDoubleQuoted } from "../../../src/project/load/envfile.js";

const env: Record<string, string> = { FOO: "bar", M: "fromenv" };
const parse = (text: string) => parseEnvFile(".env", text, (name) => env[name]);
const vars = (text: string) => Object.fromEntries(parse(text).variables);
const error = (text: string) => parse(text).errors[0]?.message;

describe("parseEnvFile", () => {
  it("reads assignments, export, comments, blank lines and YAML-style colons", () => {
    const text = "# c\n\nA=plain\nexport B=x\n  C = spaced  \nD: yaml\nE:=x\nF=a=b\n    # indented\n";
    expect(vars(text)).toEqual({ A: "plain", B: "x", C: "spaced", D: "yaml", E: "=x", F: "a=b" });
  });

  it("cuts unquoted values at ' #' only", () => {
    expect(vars("A=x # c\nB=x#c\nC=x\t#c\nD= # c\nE=#c\n")).toEqual({
      A: "x",
      B: "x#c",
      C: "x\t#c",
      D: "# c",
      E: "#c",
    });
  });

  it("keeps single quotes literal except \\'", () => {
    expect(vars("A='a \\n $FOO ${FOO}'\nB='a\\'b'\nC='a\\\\'\n")).toEqual({
      A: "a \\n $FOO ${FOO}",
      B: "a'b",
      C: "a\\\\",
    });
  });

  it("unescapes and interpolates double quotes", () => {
    expect(vars('A="x \\n \\" \\\\ \\t \\$FOO $FOO"\nB="a\\\\"\n')).toEqual({
      A: 'x \n " \\ \t $FOO bar',
      B: "a\\",
    });
    expect(unescapeDoubleQuoted("\\0|\\01|\\0123|\\0400|\\0377|\\a|\\e|\\'|\\x41|\\c")).toBe(
      "\\|\\1|S|\\400|ÿ|\x07|\\e|\\'|\\x41|\\c",
    );
  });

  it("reads multi-line quoted values", () => {
    expect(vars("A=\"multi\nline\"\nB='x\ny'\n")).toEqual({ A: "multi\nline", B: "x\ny" });
  });

  it("interpolates unquoted values, the environment winning over earlier keys", () => {
    expect(vars("FOO=infile\nA=1\nB=${A}-${FOO}\nC=\\$FOO\nD=$$FOO\nE=${UNSET:-def}\n")).toEqual({
      FOO: "infile",
      A: "1",
      B: "1-bar",
      C: "\\bar",
      D: "$FOO",
      E: "def",
    });
  });

  it("warns for unset variables", () => {
    expect(parse("A=$NOPE\n").warnings.map((w) => [w.message, w.position?.line])).toEqual([
      ['The "NOPE" variable is not set. Defaulting to a blank string.', 1],
    ]);
  });

  it("takes bare keys from the environment, or drops them", () => {
    expect(vars("M\nNOPE\nexport M\n")).toEqual({ M: "fromenv" });
    expect(vars("NOPE=1\nNOPE\n")).toEqual({ NOPE: "1" });
    expect(vars("export\nA=1\n")).toEqual({ A: "1" });
  });

  it("keeps the reference's oddities", () => {
    // Text after a closing quote is read as more statements.
    expect(vars('A="x" B=1\nC="y"z\n')).toEqual({ A: "x", B: "1", C: "y" });
    // A last line with neither separator nor newline becomes the key "".
    expect(vars("A=1\nLAST")).toEqual({ A: "1", "": "LAST" });
    expect(vars("=1\n")).toEqual({ "": "1" });
  });

  it("accepts dots, dashes, brackets, digits and letters in keys", () => {
    expect(vars("a.b-c=1\nA[0]=2\n1A=3\nÄ=4\n")).toEqual({ "a.b-c": "1", "A[0]": "2", "1A": "3", Ä: "4" });
  });

  it("handles CRLF and a leading BOM", () => {
    expect(vars('\ufeffA=1\r\nB="x"\r\n# c\r\n')).toEqual({ A: "1", B: "x" });
  });

  it("reports the reference's errors with line and column", () => {
    expect(error("A B=1\n")).toBe("line 1: key cannot contain a space");
    expect(error("A=1\nM # c\n")).toBe('line 2: unexpected character "#" in variable name "M # c"');
    expect(error("A=1\n\ufeffB=2\n")).toBe(
      'line 2: unexpected character "\\ufeff" in variable name "\\ufeffB=2"',
    );
    expect(error('A="x\ny"\nB C=1\n')).toBe("line 3: key cannot contain a space");
    expect(error("A=${UNSET:?oops}\n")).toBe("required variable UNSET is missing a value: oops");
    expect(error('A="${\n}"\n')).toBe('Invalid template: "${\\n}"');
    expect(parse("X=1\nA$B=1\n").errors[0]?.position).toEqual({ file: ".env", line: 2, column: 2 });
  });

  it("reports an unterminated quote at the line the reference reached (the end of the file)", () => {
    expect(error('A="open\nB=2\nC=3\n')).toBe('line 4: unterminated quoted value "open');
    const d = parse("X=1\nA='un\nB=2").errors[0];
    expect([d?.message, d?.position]).toEqual([
      "line 3: unterminated quoted value 'un",
      { file: ".env", line: 2, column: 3 },
    ]);
  });

  it("records every assignment with its line", () => {
    expect(parse('A=1\n\nA=2\nB="x\ny"\nC=3\n').assignments).toEqual([
      { key: "A", value: "1", line: 1 },
      { key: "A", value: "2", line: 3 },
      { key: "B", value: "x\ny", line: 4 },
      { key: "C", value: "3", line: 6 },
    ]);
  });
});
