import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest (seconds of one file alone on this machine kind, Node 20, 2026-12-07), first:
 * files run three at a time (vitest.config.ts) and the run ends when the last long file does, so the long
 * ones must not start late. On a clean checkout (CI) vitest knows no durations yet and would start them in
 * file-system order; with durations cached, its own order (longest first) is the same.
 */
const longest = [
  "test/e2e/faults.test.ts", // 410 s
  "test/e2e/up.reference.test.ts", // 194 s
  "test/e2e/config.test.ts", // 171 s
  "test/e2e/stack.reference.test.ts", // 98 s
  "test/e2e/buildkit.test.ts", // 75 s
  "test/e2e/build.test.ts", // 67 s
  "test/e2e/stack-cluster.test.ts", // 64 s
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = longest.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? longest.length : i;
    };
    // A stable sort: the rest keeps vitest's order.
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}
