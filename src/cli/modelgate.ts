#!/usr/bin/env node
import { runCli } from "./run-cli.ts";

// The `modelgate` binary. Node 24 runs this TypeScript file directly (type stripping).
process.exitCode = await runCli(process.argv.slice(2));
