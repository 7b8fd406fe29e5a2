// Bundles with esbuild into dist/:
//   tcompose.cjs  the whole CLI as one minified CommonJS script (heavy engine code, dockerode and its
//                 dependencies, sits behind dynamic imports and is only initialised by commands that use it);
//   tcompose.js   the `tcompose` command: a small launcher that runs tcompose.cjs from V8's code cache
//                 (src/cli/launcher.ts says why and where the cache lives);
//   lib.js        the library entry (the loader alone), an ES module.
import { readFile, rename, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

// Built beside dist/ and swapped in at the end, file by file, so a CLI started during a build (tests running
// while another build runs) never sees a half-written or missing bundle.
const staging = `dist.tmp-${process.pid}`;
await rm(new URL(`../${staging}`, import.meta.url), { recursive: true, force: true });
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
// Optional native add-ons of ssh2 (through docker-modem), loaded inside try/catch; never bundled.
const nativeAddOns = ["cpu-features", "*.node"];
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
    entryPoints: { tcompose: "src/cli/bin.ts" },
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    external: nativeAddOns,
    plugins: [dockerodeApart, lazyChildProcess],
  }),
  build({
    ...common,
    entryPoints: { dockerode: "node_modules/dockerode/lib/docker.js" },
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    external: nativeAddOns,
  }),
  build({
    ...common,
    entryPoints: { tcompose: "src/cli/launcher.ts" },
    format: "esm",
    sourcemap: false,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
  }),
  build({ ...common, entryPoints: { lib: "src/lib.ts" }, format: "esm" }),
]);

// The launcher runs the bundle as a plain script, which has no module loader for import(): every module
// must be bundled (esbuild turns their imports into requires) or a builtin loaded another way.
const cjs = await readFile(new URL("tcompose.cjs", new URL(`../${staging}/`, import.meta.url)), "utf8");
if (/\bimport\(/.test(cjs)) throw new Error("dist/tcompose.cjs calls import(): bundle the module instead");

// The bundle before its launcher, so a launcher never starts without its bundle.
const { readdir, chmod } = await import("node:fs/promises");
const distDir = new URL("../dist/", import.meta.url);
const stagingDir = new URL(`../${staging}/`, import.meta.url);
await chmod(new URL("tcompose.js", stagingDir), 0o755);
const names = (await readdir(stagingDir)).sort(
  (a, b) => Number(a === "tcompose.js") - Number(b === "tcompose.js"),
);
await rm(new URL("chunks/", distDir), { recursive: true, force: true });
await (await import("node:fs/promises")).mkdir(distDir, { recursive: true });
for (const name of names) await rename(new URL(name, stagingDir), new URL(name, distDir));
await rm(stagingDir, { recursive: true, force: true });
