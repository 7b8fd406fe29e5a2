// Bundles with esbuild into dist/:
//   cli.cjs       the whole CLI as one minified CommonJS script (heavy engine code, dockerode and its
//                 dependencies, sits behind dynamic imports and is only initialised by commands that use it);
//   tcompose.cjs  the `tcompose` command: a small CommonJS launcher that runs cli.cjs from V8's code
//                 cache (src/cli/launcher.ts says why and where the cache lives);
//   lib.js        the library entry (the loader alone), an ES module.
import { chmod, mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

// Built beside dist/ and swapped in at the end, file by file, so a CLI started during a build (tests running
// while another build runs) never sees a half-written or missing bundle.
const staging = `dist.tmp-${process.pid}`;
const stagingDir = new URL(`../${staging}/`, import.meta.url);
const distDir = new URL("../dist/", import.meta.url);
await rm(stagingDir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir: staging,
  bundle: true,
  platform: "node",
  target: "node20.19",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  define: { TCOMPOSE_VERSION: JSON.stringify(pkg.version) },
  logLevel: "warning",
};
// CommonJS scripts; the optional native add-ons of ssh2 (through docker-modem), loaded inside try/catch,
// are never bundled.
const commonJs = { format: "cjs", outExtension: { ".js": ".cjs" }, external: ["cpu-features", "*.node"] };
// dockerode and its dependencies (ssh2, grpc, protobuf, tar …) are two thirds of the CLI's code and only
// streams, builds, pulls and ssh endpoints use them: they live in dist/dockerode.cjs, required the first
// time the engine module asks for dockerode, so other commands neither read nor compile them.
const dockerodeApart = {
  name: "dockerode-apart",
  setup(b) {
    b.onResolve({ filter: /^dockerode$/ }, () => ({ path: "dockerode", namespace: "apart" }));
    b.onLoad({ filter: /.*/, namespace: "apart" }, () => ({
      contents: 'module.exports = require("./dockerode.cjs");',
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/dockerode\.cjs$/ }, () => ({ path: "./dockerode.cjs", external: true }));
  },
};
// commander requires node:child_process when it loads, for executable subcommands tcompose has none of;
// child_process (with dgram and net) is then loaded on first use instead of at every start.
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child_process", namespace: "lazy-child-process" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents:
        'module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule("node:child_process")[key] });',
      loader: "js",
    }));
  },
};
await Promise.all([
  build({
    ...common,
    ...commonJs,
    entryPoints: { cli: "src/cli/bin.ts" },
    plugins: [dockerodeApart, lazyChildProcess],
  }),
  build({ ...common, ...commonJs, entryPoints: { dockerode: "node_modules/dockerode/lib/docker.js" } }),
  build({
    ...common,
    ...commonJs,
    entryPoints: { tcompose: "src/cli/launcher.ts" },
    sourcemap: false,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
  }),
  build({ ...common, entryPoints: { lib: "src/lib.ts" }, format: "esm" }),
]);

// The launcher runs the bundle as a plain script, which has no module loader for import(): every module
// must be bundled (esbuild turns their imports into requires) or a builtin loaded another way.
const cjs = await readFile(new URL("cli.cjs", stagingDir), "utf8");
if (/\bimport\(/.test(cjs)) throw new Error("dist/cli.cjs calls import(): bundle the module instead");
// The launcher reads the bundle as latin1 (a one-byte string, faster to make than from UTF-8): it must be
// ASCII, as esbuild writes it by default (charset ascii escapes the rest).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point.
if (/[^\x00-\x7f]/.test(cjs)) throw new Error("dist/cli.cjs is not ASCII: the launcher reads it as latin1");

// The bundle before its launcher, so a launcher never starts without its bundle.
await chmod(new URL("tcompose.cjs", stagingDir), 0o755);
const names = (await readdir(stagingDir)).sort(
  (a, b) => Number(a === "tcompose.cjs") - Number(b === "tcompose.cjs"),
);
await mkdir(distDir, { recursive: true });
for (const name of names) await rename(new URL(name, stagingDir), new URL(name, distDir));
await rm(stagingDir, { recursive: true, force: true });
// What earlier builds left that this one did not make (their chunks/, their ESM launcher tcompose.js):
// nothing loads it now.
for (const name of await readdir(distDir)) {
  if (!names.includes(name)) await rm(new URL(name, distDir), { recursive: true, force: true });
}
