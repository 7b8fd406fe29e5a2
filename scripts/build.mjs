// Bundles the CLI into dist/ with esbuild, so start-up reads one file instead of resolving hundreds of
// modules. Code splitting keeps heavy engine code (dockerode and its dependencies) in chunks that only
// commands talking to the engine load.
import { readFile, rename, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

// Built beside dist/ and swapped in at the end, so a CLI started during a build (tests running while
// another build runs) never sees a half-written or missing bundle.
const staging = `dist.tmp-${process.pid}`;
await rm(new URL(`../${staging}`, import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { tcompose: "src/cli/bin.ts", lib: "src/lib.ts" },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  legalComments: "linked",
  define: { TCOMPOSE_VERSION: JSON.stringify(pkg.version) },
  // dockerode and its dependencies are CommonJS: give them a real require, __filename and __dirname in
  // the ESM bundle (ssh2 locates its WebAssembly helper through __dirname).
  banner: {
    js: [
      "import { createRequire as __tcRequire } from 'node:module';",
      "import { fileURLToPath as __tcPath } from 'node:url';",
      "import { dirname as __tcDirname } from 'node:path';",
      "const require = __tcRequire(import.meta.url);",
      "const __filename = __tcPath(import.meta.url);",
      "const __dirname = __tcDirname(__filename);",
    ].join(" "),
  },
  // Optional native add-ons of ssh2 (through docker-modem), loaded inside try/catch; never bundled.
  external: ["cpu-features", "*.node"],
  logLevel: "warning",
});

// Chunks first (content-hashed names, so they never clash), entry points last, each by an atomic rename;
// chunks of earlier builds stay a while for processes that started from them, then go.
const { mkdir, readdir, stat } = await import("node:fs/promises");
const distDir = new URL("../dist/", import.meta.url);
const stagingDir = new URL(`../${staging}/`, import.meta.url);
await mkdir(new URL("chunks/", distDir), { recursive: true });
const hourAgo = Date.now() - 3600_000;
for (const name of await readdir(new URL("chunks/", distDir))) {
  const file = new URL(`chunks/${name}`, distDir);
  if ((await stat(file)).mtimeMs < hourAgo) await rm(file, { force: true });
}
for (const name of await readdir(new URL("chunks/", stagingDir))) {
  await rename(new URL(`chunks/${name}`, stagingDir), new URL(`chunks/${name}`, distDir));
}
for (const name of await readdir(stagingDir)) {
  if (name !== "chunks") await rename(new URL(name, stagingDir), new URL(name, distDir));
}
await rm(stagingDir, { recursive: true, force: true });
