// Types for typical.mjs, which test/unit/bench-typical.test.ts imports.
export declare const PROJECTS: readonly { id: string; label: string; services: number; flags?: string[] }[];
export declare const NODE_FLOOR: { id: string; name: string; label: string; startUp: boolean };
export declare function projectFiles(id: string): Record<string, string>;
export declare function configServices(stdout: string | undefined): number | null;
