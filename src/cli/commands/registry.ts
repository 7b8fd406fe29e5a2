// The commands tcompose implements, by name: every command of the catalog (catalog.ts). Every command
// module is loaded at start: its register function only declares flags, and what its work needs beyond
// that (the project layer, renderers) is imported in its action.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerAttach } from "./attach.js";
import { registerBuild, registerPull, registerPush } from "./build.js";
import { registerConfig } from "./config.js";
import { registerCp } from "./cp.js";
import { registerEvents } from "./events.js";
import { registerExec } from "./exec.js";
import { registerImages } from "./images.js";
import { registerKill } from "./kill.js";
import { registerLogs } from "./logs.js";
import { registerLs } from "./ls.js";
import { registerPause, registerUnpause } from "./pause.js";
import { registerPort } from "./port.js";
import { registerPs } from "./ps.js";
import { registerRestart } from "./restart.js";
import { registerRm } from "./rm.js";
import { registerRun } from "./run.js";
import { registerScale } from "./scale.js";
import { registerStart } from "./start.js";
import { registerStats } from "./stats.js";
import { registerStop } from "./stop.js";
import { registerTop } from "./top.js";
import { registerCreate, registerDown, registerUp } from "./up.js";
import { registerVersion } from "./version.js";
import { registerWait } from "./wait.js";
import { registerWatch } from "./watch.js";

export const implementedCommands: Record<string, (program: Command, io: Io) => void> = {
  attach: registerAttach,
  cp: registerCp,
  exec: registerExec,
  kill: registerKill,
  pause: registerPause,
  restart: registerRestart,
  rm: registerRm,
  stop: registerStop,
  unpause: registerUnpause,
  wait: registerWait,
  build: registerBuild,
  config: registerConfig,
  events: registerEvents,
  images: registerImages,
  logs: registerLogs,
  ls: registerLs,
  port: registerPort,
  ps: registerPs,
  pull: registerPull,
  push: registerPush,
  stats: registerStats,
  top: registerTop,
  create: registerCreate,
  down: registerDown,
  run: registerRun,
  scale: registerScale,
  start: registerStart,
  up: registerUp,
  version: (program, io) => registerVersion(program, io.stdout),
  watch: registerWatch,
};
