// The version is injected by the bundler (scripts/build.mjs) from package.json; tests that import the
// sources directly see the development marker.
declare const TCOMPOSE_VERSION: string | undefined;

export const version: string = typeof TCOMPOSE_VERSION === "string" ? TCOMPOSE_VERSION : "0.0.0-dev";
