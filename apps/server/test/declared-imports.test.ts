import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

// Every package a workspace imports is in its own package.json, so it installs and builds on its own and the lock
// file says who needs what. Sources need it in `dependencies` (or `peerDependencies`); tests and tooling may also
// use `devDependencies` and the tools the root declares for every suite (TypeScript, tsx, Playwright, …). The
// benchmarks belong to the root package.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const builtins = new Set(builtinModules);
const sourceFile = /\.(ts|tsx|mts|mjs|js)$/;

interface Manifest {
  name?: string;
  exports?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  if (statSync(dir).isFile()) {
    yield dir;
    return;
  }
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (sourceFile.test(e.name)) yield p;
  }
}

// Static imports and re-exports, side-effect imports, and dynamic imports of a literal name.
const statements = [
  /^\s*(?:import|export)\s+[\w\s{},*$]*?\bfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
];

/** The packages a file imports. */
function importedPackages(text: string): string[] {
  const names = new Set<string>();
  for (const re of statements) {
    for (const [, spec] of text.matchAll(re)) {
      // Relative and absolute paths, URLs (node:, file:, data:) and Node's own modules are no packages.
      if (/^[./]|^[a-z]+:/.test(spec!) || builtins.has(spec!.split("/")[0]!)) continue;
      names.add(spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!);
    }
  }
  return [...names];
}

const workspaces = ["packages", "apps"]
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((dir) => existsSync(join(dir, "package.json")));
const rootDev = Object.keys(manifest(root).devDependencies ?? {});

/** Imports in the folders or files `dirs` (relative to `dir`) that `allowed(file)` does not name, as "file: package". */
function undeclared(dir: string, dirs: string[], allowed: (file: string) => Set<string>, self?: string): string[] {
  return dirs.flatMap((sub) =>
    [...files(join(dir, sub))].flatMap((file) =>
      importedPackages(readFileSync(file, "utf8"))
        .filter((name) => name !== self && !allowed(file).has(name))
        .map((name) => `${relative(root, file)}: ${name}`),
    ),
  );
}

/** Tests (in test/, or *.test.* beside the code) and build configs at a workspace's top are development tooling. */
const isTooling = (dir: string, file: string) =>
  /(^|\/)test\/|\.test\.\w+$/.test(relative(dir, file)) || !relative(dir, file).includes("/");

describe("declared imports", () => {
  it("every workspace declares what its sources import in dependencies, and what its tests import in any of its lists", () => {
    const missing = workspaces.flatMap((dir) => {
      const m = manifest(dir);
      const runtime = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
      const any = new Set([...runtime, ...Object.keys(m.devDependencies ?? {}), ...rootDev]);
      const tops = readdirSync(dir).filter((f) => sourceFile.test(f));
      return undeclared(dir, ["src", "bin", "test", ...tops], (file) => (isTooling(dir, file) ? any : runtime), m.name);
    });
    assert.deepEqual(missing, [], "imported but not declared in the importing workspace's package.json");
  });

  it("the benchmarks import only what the root package.json declares", () => {
    const m = manifest(root);
    const declared = new Set([...Object.keys(m.dependencies ?? {}), ...rootDev]);
    assert.deepEqual(
      undeclared(root, ["bench"], () => declared),
      [],
    );
  });

  it("each workspace's exports name files that exist", () => {
    const broken = workspaces.flatMap((dir) => {
      const { exports } = manifest(dir);
      const targets = typeof exports === "string" ? [exports] : Object.values(exports ?? {});
      return targets.filter((t) => !existsSync(join(dir, t))).map((t) => `${relative(root, dir)}: ${t}`);
    });
    assert.deepEqual(broken, []);
  });
});
