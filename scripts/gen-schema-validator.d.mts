// Types for gen-schema-validator.mjs, which the staleness test imports.
export declare const outputUrl: URL;
export declare const ajvOptions: Record<string, unknown>;
export declare function generateValidatorSource(schema: unknown): string;
export declare function readSchema(): unknown;
