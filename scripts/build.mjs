// Bundles the CLI into dist/ with esbuild, so start-up reads one file instead of resolving hundreds of
// modules. Code splitting keeps heavy engine code (dockerode and its dependencies) in chunks that only
// commands talking to the engine load.
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

await rm(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { tcompose: "src/cli/bin.ts", demo: "scripts/demo.ts" },
  outdir: "dist",
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
