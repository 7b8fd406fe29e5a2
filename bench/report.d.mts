// Types for report.mjs, which test/unit/bench.test.ts imports.
export interface Outcome {
  status: "ok" | "notyet" | "failed" | "skipped";
  seconds?: number;
  rssKiB?: number | null;
  message?: string;
}
export declare function render(report: {
  meta: Record<string, unknown>;
  scenarios: {
    name: string;
    title: string;
    tables: Record<string, string>;
    floor?: unknown;
    referenceLabels?: Record<string, string>;
  }[];
  results: Record<string, Record<string, Record<string, Outcome[]>>>;
  notes: string[];
}): string;
