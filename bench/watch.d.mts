// Types for watch.mjs, which test/unit/bench.test.ts imports.
export declare const EDITS: number;
export declare const TREE_FILES: number;
export declare function latencySummary(seconds: readonly number[]): { median: number; p95: number };
