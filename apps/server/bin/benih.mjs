#!/usr/bin/env node
// The `benih` command: runs the TypeScript sources directly through tsx's loader, resolved from this package so
// it works from any directory.
import { register } from "tsx/esm/api";

register();
await import("../src/bin/benih.ts");
