// Compose files written in unusual-but-valid YAML forms, for the differential test in ./yaml-forms.test.ts:
// indentation of flow content and quoted scalars, tabs, comments in odd places, document markers and
// directives, anchors in flow, long and complex keys, block scalar headers, empty values, duplicate keys,
// CRLF line ends and a BOM. Deterministic: the same seed gives the same documents.

export interface YamlForm {
  /** Family and number, for the test's titles. */
  name: string;
  text: string;
}

/** A small seeded generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const spaces = (n: number) => " ".repeat(n);

const head = "services:\n  app:\n    image: busybox\n";
/** Words for scalars: some look like numbers, booleans or nulls, some carry YAML indicators inside. */
const words = [
  "echo",
  "hello",
  "a b",
  "x-y",
  "1.5",
  "0440",
  "yes",
  "null",
  "$$HOME",
  "a#b",
  "k=v",
  "é ü",
  "08",
];
/** Text for quoted scalars, which may hold anything but their own quote. */
const quotedWords = [
  ...words,
  "a: b",
  "[x]",
  "{y}",
  "- z",
  "# not a comment",
  "*ref",
  "&anc",
  "!tag",
  "%p",
  "@at",
];

/** A double-quoted scalar over several lines; continuation lines start at `indent`. */
function doubleQuoted(rng: Rng, indent: number): string {
  const parts = [pick(rng, quotedWords)];
  for (let i = int(rng, 1, 3); i > 0; i--) {
    const join = pick(rng, ["\\n\n", "\n", "\n\n", "  \n", "\\\n", "\\t\n", "\n\t"]);
    parts.push(join + spaces(indent) + pick(rng, quotedWords).replaceAll('"', ""));
  }
  return `"${parts.join("")}"`;
}

/** A single-quoted scalar over several lines ('' is a quote). */
function singleQuoted(rng: Rng, indent: number): string {
  const parts = [pick(rng, quotedWords)];
  for (let i = int(rng, 1, 3); i > 0; i--) {
    const join = pick(rng, ["\n", "\n\n", " \n", "''\n", "\n\n\n"]);
    parts.push(join + spaces(indent) + pick(rng, quotedWords));
  }
  return `'${parts.join("")}'`;
}

const quoted = (rng: Rng, indent: number) => (rng() < 0.5 ? doubleQuoted : singleQuoted)(rng, indent);
/** A plain scalar safe anywhere (flow or block): no indicators. */
const plainWord = (rng: Rng) =>
  pick(rng, ["echo", "hello", "x-y", "1.5", "0440", "yes", "null", "08", "a b"]);

/** The devcontainers CLI's override file, as it writes it. */
export const devcontainersOverride = [
  "services:",
  "  'app':",
  '    entrypoint: ["/bin/sh", "-c", "echo Container started\\n',
  'trap \\"exit 0\\" 15\\n',
  'exec \\"$$@\\"\\n',
  'while sleep 1 & wait $$!; do :; done", "-"]',
  "",
].join("\n");

/** The families: each makes one document from the generator's state. */
const families: Record<string, (rng: Rng) => string> = {
  devcontainers(rng) {
    const field = pick(rng, ["entrypoint", "command"]);
    const text = devcontainersOverride.replace("entrypoint", field);
    return `${text.replace("  'app':\n", "  'app':\n    image: busybox\n")}${pick(rng, ["", "    labels: [a=1]\n"])}`;
  },
  /** The devcontainers CLI's override: a quoted scalar in a flow sequence, continuation lines at column 0. */
  "flow-seq-quoted"(rng) {
    const indent = pick(rng, [0, 0, 1, 2, 4, 6, 12]);
    const items = [`"/bin/sh"`, `"-c"`, quoted(rng, indent)];
    if (rng() < 0.5) items.push(`"-"`);
    return `${head}    entrypoint: [${items.join(", ")}]\n`;
  },
  "flow-map-quoted"(rng) {
    const indent = pick(rng, [0, 0, 1, 2, 4]);
    const sep = pick(rng, [", ", ",\n", `,\n${spaces(indent)}`]);
    // Label keys starting with "x-" are the reference's extensions: keys here start with "k".
    const key = quoted(rng, indent)
      .replaceAll("\n", " ")
      .replace(/^(["'])/, "$1k ");
    const pairs = [`A: ${quoted(rng, indent)}`, `${key}: x`, `C: ${plainWord(rng)}`];
    return `${head}    labels: {${pairs.join(sep)}}\n`;
  },
  "block-quoted"(rng) {
    const indent = pick(rng, [0, 1, 2, 3, 4, 5, 8]);
    const where = pick(rng, ["service", "x", "seq"]);
    if (where === "service") return `${head}    working_dir: ${quoted(rng, indent)}\n`;
    if (where === "seq") return `${head}    command:\n    - ${quoted(rng, indent)}\n    - last\n`;
    return `x-v:\n  key: ${quoted(rng, indent)}\n  next: 1\n${head}`;
  },
  "flow-multiline"(rng) {
    const indent = () => spaces(pick(rng, [0, 0, 1, 2, 5]));
    const item = () =>
      pick(rng, [
        plainWord(rng),
        `${plainWord(rng)}\n${indent()}${plainWord(rng)}`,
        `[${plainWord(rng)},\n${indent()}${plainWord(rng)}]`,
        `{k: ${plainWord(rng)},\n${indent()}j: [1,\n${indent()}2]}`,
        quoted(rng, int(rng, 0, 3)),
      ]);
    const items = [item(), item(), item()];
    const sep = () => pick(rng, [", ", `,\n${indent()}`, `\n${indent()}, `]);
    const close = pick(rng, ["]", `\n${indent()}]`, ",]", `,\n${indent()}]`]);
    const open = pick(rng, ["[", `[\n${indent()}`]);
    return `x-v: ${open}${items[0]}${sep()}${items[1]}${sep()}${items[2]}${close}\n${head}`;
  },
  "flow-map-multiline"(rng) {
    const indent = () => spaces(pick(rng, [0, 0, 1, 3]));
    const key = () => pick(rng, ["a", "b c", '"q"', "'s'", "1x"]);
    const pairs = [0, 1, 2].map(
      (i) => `${key()}${i}: ${pick(rng, [plainWord(rng), `[${plainWord(rng)}]`, ""])}`,
    );
    const lines = pairs.map((p) => `\n${indent()}${p}`).join(",");
    return `x-v:\n  m: {${lines}${pick(rng, ["", ","])}\n${indent()}}\n${head}`;
  },
  "plain-multiline"(rng) {
    const form = pick(rng, ["deeper", "flow", "seq", "blank", "comment"]);
    const w = () => plainWord(rng).replace(/^(yes|null)$/, "w");
    if (form === "deeper") return `x-v:\n  k: ${w()}\n${spaces(int(rng, 3, 6))}${w()}\n${head}`;
    if (form === "flow") return `x-v: [${w()}\n${w()}\n  ${w()}]\n${head}`;
    if (form === "seq") return `x-v:\n- ${w()}\n  ${w()}\n- ${w()}\n${head}`;
    if (form === "blank") return `x-v: ${w()}\n\n  ${w()}\n\n\n  ${w()}\n${head}`;
    return `x-v: ${w()}\n  ${w()} # trailing\n${head}`;
  },
  tabs(rng) {
    const form = pick(rng, [
      "x-v:\t1\n",
      "x-v: 1\t# comment\n",
      "x-v: [a,\tb]\n",
      "x-v: {a:\t1,\tb: 2}\n",
      "x-v: [\n\ta,\n\tb]\n",
      "x-v: {\n\ta: 1,\n\tb: 2\n\t}\n",
      "x-v:\n  - \ta\n  -\tb\n",
      'x-v: "a\n\tb"\n',
      "x-v: |\n  a\tb\n  \tc\n",
      "x-v: a\t\n",
      "x-v:\n  k: v\t\n  \t# comment\n",
      "x-v:\n\tk: v\n",
      "x-v: &a\t{a: 1}\nx-w: *a\n",
      "x-v: 'a\n\t\tb'\n",
      "x-v:\t[1,\t2]\t# c\n",
      "x-v: [\n a\n\t, b]\n",
      "x-v: [a,\n\t# c\n b]\n",
      "x-v:\n  k: v\n\t\n",
      "x-v:\n  k: v\n   \t# c\n",
      'x-v:\n  k: "v"\n  \t# c\n',
      "x-v: 1 \t# c\n\t# c\n",
      "x-v:\n  k:\tb\n",
      "x-v:\n  ? \tb\n",
    ]);
    return rng() < 0.5 ? `${form}${head}` : `${head}${form}`;
  },
  comments(rng) {
    return pick(rng, [
      `${head}x-v: # comment\n  k: v\n`,
      `${head}x-v:\n# at column 0\n  k: v\n    # deeper\n  j: w\n`,
      `${head}x-v: [ # after the bracket\n  a, # after an item\n  b # before the close\n]\n`,
      `${head}x-v: { # c\n  a: 1, # c\n  b: 2 }\n`,
      `${head}x-v:\n  - # empty item with a comment\n  - a #c\n  #c\n  - b\n`,
      `# first line\n\n# second\n${head}`,
      `--- # a comment after the marker\n${head}`,
      `${head}x-v: | # after the header\n  text\n`,
      `${head}x-v: >- #c\n  a\n  b\n`,
      `${head}x-v: "a" #c\n`,
      `${head}x-v: a#b # c#d\n`,
      `${head}x-v: &anchor # c\n  k: v\n`,
      `${head}x-v: !!str # c\n  12\n`,
      `${head}x-v:\n  ? k # c\n  : v # c\n`,
      `${head}#c\n...\n# trailing\n`,
    ]);
  },
  documents(rng) {
    return pick(rng, [
      `---\n${head}`,
      `${head}...\n`,
      `---\n${head}...\n`,
      `%YAML 1.1\n---\n${head}`,
      `%YAML 1.2\n---\n${head}`,
      `%YAML 1.1\n--- # c\n${head}...\n`,
      `%TAG !e! tag:example.com,2000:\n---\n${head}x-v: !e!foo bar\n`,
      `--- \n${head}`,
      `${head}---\nx-v: 1\n`,
      `${head}---\nservices:\n  app:\n    command: [a]\n...\n`,
      `---\nservices:\n  app:\n    image: busybox\n---\nservices:\n  app:\n    image: redis\n`,
      `${head}...\n---\nx-v: 2\n`,
      `--- !!map\n${head}`,
      `---\n\n\n${head}\n\n...\n\n`,
      `%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\n${head}`,
    ]);
  },
  anchors(rng) {
    return pick(rng, [
      `x-v: [&a one, *a, &b [x, *a], *b]\n${head}`,
      `x-v: {k: &m {a: 1}, j: *m}\n${head}`,
      `x-a: &a {a: 1}\nx-b: &b {b: 2}\nx-v: {<<: [*a, *b], c: 3}\n${head}`,
      `x-a: &a {a: 1, b: 1}\nx-v:\n  <<: *a\n  b: 2\n${head}`,
      `x-v:\n  &k key: v\n  other: *k\n${head}`,
      `x-k: &k key\nx-v:\n  *k : v\n${head}`,
      `x-v: {&k key: v, j: *k}\n${head}`,
      `x-v: [*a]\n${head}`,
      `x-v: &a [*a]\n${head}`,
      `x-a: &a.b-c_d {x: 1}\nx-v: *a.b-c_d\n${head}`,
      `x-v: &a\n  - &b x\n  - *b\nx-w: *a\n${head}`,
      `services:\n  app: &svc\n    image: busybox\n  web: *svc\n`,
      `x-v: [&a 1, *a ]\n${head}`,
      `x-v: {a: &x 1, b: *x, c: &x 2, d: *x}\n${head}`,
      `x-a: &a\n  k: v\nx-v: {<<: *a}\n${head}`,
    ]);
  },
  keys(rng) {
    const long = (n: number) => "k".repeat(n);
    return pick(rng, [
      `x-v:\n  ${long(int(rng, 1000, 1020))}: v\n${head}`,
      `x-v:\n  ${long(int(rng, 1025, 1100))}: v\n${head}`,
      `x-v:\n  "${long(1030)}": v\n${head}`,
      `x-v:\n  ? ${long(int(rng, 1025, 1500))}\n  : v\n${head}`,
      `x-v:\n  ? k\n  : v\n  ? j\n${head}`,
      `x-v:\n  ? |\n    block key\n  : v\n${head}`,
      `x-v:\n  ? [a, b]\n  : v\n${head}`,
      `x-v:\n  ? - a\n  : v\n${head}`,
      `x-v: {? a : b, ? c}\n${head}`,
      `x-v: [? a : b, c: d]\n${head}`,
      `x-v: {"a":b, 'c':d}\n${head}`,
      `x-v: {a:b}\n${head}`,
      `x-v: [a:b, a?b, "x":y]\n${head}`,
      `x-v: {a: 1, "a": 2}\n${head}`,
      `x-v:\n  a: 1\n  'a': 2\n${head}`,
      `x-v:\n  1: a\n  "1": b\n${head}`,
      `x-v:\n  k: 1\n  k: 2\n${head}`,
      `x-v:\n  <<: {a: 1}\n  <<: {b: 2}\n${head}`,
      `x-v: {a: 1}\nx-v: {a: 2}\n${head}`,
      `x-v:\n  "multi\n  line key": v\n${head}`,
      `x-v:\n  ? "multi\n    line"\n  : v\n${head}`,
      `x-v: {"multi\n line": v}\n${head}`,
      `x-v:\n  k :  v\n  j   : w\n${head}`,
      `x-v:\n  -k: a\n  ?k: b\n  :k: c\n${head}`,
    ]);
  },
  "block-scalars"(rng) {
    const header = pick(rng, [
      "|",
      ">",
      "|-",
      ">-",
      "|+",
      ">+",
      "|2",
      ">2",
      "|-2",
      ">+1",
      "|1+",
      "|4",
      ">3-",
    ]);
    const ind = header.match(/\d/) ? Number(header.match(/\d/)?.[0]) : int(rng, 1, 4);
    const base = 2;
    const line = (extra = 0) => spaces(base + ind + extra) + pick(rng, words);
    const body = [
      pick(rng, ["", "\n", `${spaces(base + ind)}\n`, `${spaces(base + ind + 2)}\n`]),
      `${line()}\n`,
      pick(rng, ["", `${line(2)}\n`, "\n", `${line()}\n`, `${spaces(base + ind)}\t tab\n`]),
      `${line()}\n`,
      pick(rng, ["", "\n", "\n\n", `${spaces(base)}\n`, `${spaces(base + ind + 3)}\n`]),
    ].join("");
    const after = pick(rng, ["  next: 1\n", "", "x-w: 1\n"]);
    const end = rng() < 0.2 ? "" : head;
    const tail =
      end === "" ? `${head}x-v:\n  k: ${header}\n${body}` : `x-v:\n  k: ${header}\n${body}${after}${end}`;
    return tail;
  },
  "empty-values"(rng) {
    return pick(rng, [
      `x-v:\n${head}`,
      `x-v: ~\n${head}`,
      `x-v:\n  a:\n  b: ~\n  c: null\n  d: ""\n  e: ''\n${head}`,
      `x-v: [a, , b]\n${head}`,
      `x-v: [a, b, ]\n${head}`,
      `x-v: {a, b: , c: ~}\n${head}`,
      `x-v: {a: }\n${head}`,
      `x-v: [{}, [a], {a: {}}]\n${head}`,
      `x-v:\n  -\n  - \n  - ~\n${head}`,
      `x-v:\n  :\n${head}`,
      `x-v: !!null\n${head}`,
      `x-v: !!str\n${head}`,
      `x-v: {: a}\n${head}`,
      `x-v: [-]\n${head}`,
      `x-v: { }\n${head}`,
      `x-v:\n  - - - a\n    - b\n  - - c\n${head}`,
      `x-v:\n- a: 1\n  b: 2\n-   c: 3\n    d: 4\n${head}`,
    ]);
  },
  "seq-indent"(rng) {
    const key = spaces(pick(rng, [0, 2]));
    const item = spaces(pick(rng, [0, 1, 2, 4]));
    const indent = key.length > 0 ? key : "";
    const text = `x-v:\n${indent}list:\n${indent}${item}- a\n${indent}${item}- b:\n${indent}${item}    c\n`;
    return `${text.replace(/^ {2}list/m, `${key}list`)}${head}`;
  },
};

/** `count` documents, cycling through the families; some get CRLF line ends or a BOM. */
export function yamlForms(seed: number, count: number): YamlForm[] {
  const rng = random(seed);
  const names = Object.keys(families);
  const forms: YamlForm[] = [];
  for (let i = 0; i < count; i++) {
    const family = names[i % names.length] as string;
    let text = (families[family] as (r: Rng) => string)(rng);
    const ends = rng();
    if (ends < 0.12) text = text.replaceAll("\n", "\r\n");
    if (rng() < 0.06) text = `\ufeff${text}`;
    forms.push({ name: `${family} #${Math.floor(i / names.length)}${ends < 0.12 ? " crlf" : ""}`, text });
  }
  return forms;
}
