// Builds the C++ training engine with node-gyp against this Node's own headers. Run by `npm ci` (install
// script); a failure is reported and leaves training on the TypeScript engine, so installs never break on it.
// `--strict` (npm run build:native) exits non-zero instead, for finding out why.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes("--strict");

function nodeGyp() {
  // npm runs install scripts with its bundled node-gyp on PATH; outside npm, find the one npm ships.
  const candidates = [];
  if (process.env.npm_execpath)
    candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {}
  return candidates.find((c) => existsSync(c));
}

function fail(why) {
  const msg = `benih: the C++ training engine was not built (${why}); \`benih train\` will use the TypeScript engine, about 50× slower.`;
  if (strict) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(msg);
  process.exit(0);
}

if (process.env.BENIH_SKIP_NATIVE) fail("BENIH_SKIP_NATIVE is set");
const gyp = nodeGyp();
if (!gyp) fail("node-gyp was not found");
const args = [gyp, "rebuild"];
// Node's own headers, so nothing is downloaded (installs here run offline).
const prefix = join(dirname(process.execPath), "..");
if (existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: here, stdio: strict ? "inherit" : ["ignore", "ignore", "pipe"], encoding: "utf8" });
if (r.status !== 0) fail(`node-gyp exited with ${r.status}${r.stderr ? `: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`);
