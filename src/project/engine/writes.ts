// The Engine methods that change something on the engine: --dry-run (dry-run.ts) answers them without
// calling the engine; after Ctrl-C (interrupt.ts) those under way are let finish, except the streams.

export const engineWrites: ReadonlySet<string> = new Set([
  "createNetwork",
  "removeNetwork",
  "pullImage",
  "pullImageWithProgress",
  "createContainer",
  "startContainer",
  "stopContainer",
  "removeContainer",
  "connectNetwork",
  "disconnectNetwork",
  "createVolume",
  "removeVolume",
  "removeImage",
  "tagImage",
  "pushImage",
  "buildImage",
  "openSession",
  "renameContainer",
  "killContainer",
  "restartContainer",
  "pauseContainer",
  "unpauseContainer",
  "putArchive",
  "resizeContainer",
  "createService",
  "updateService",
  "removeService",
  "createSecret",
  "updateSecret",
  "removeSecret",
  "createConfig",
  "updateConfig",
  "removeConfig",
]);

/** Writes that stream or are long (pull, push, build, a build's session) or do not matter once stopped (resize). */
export const streamingWrites: ReadonlySet<string> = new Set([
  "pullImage",
  "pullImageWithProgress",
  "pushImage",
  "buildImage",
  "openSession",
  "resizeContainer",
]);
