#!/usr/bin/env node
import { run } from "./main.js";

// The bundle's entry point: everything else is importable without side effects.
process.exitCode = await run(process.argv.slice(2));
