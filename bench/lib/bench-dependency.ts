// A dependency only a benchmark needs (onnxruntime-node is 288 MB) is not in benih's package.json: the benchmark
// installs it into bench/.deps the first time it runs, from the npm registry at a pinned version, without its
// install scripts (the CPU build ships inside the package).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const folder = fileURLToPath(new URL("../.deps/", import.meta.url));

export function benchDependency<T>(name: string, version: string): T {
  if (!existsSync(`${folder}node_modules/${name}/package.json`)) {
    console.error(`installing ${name}@${version} into bench/.deps for this benchmark (once)…`);
    execFileSync("npm", ["install", "--prefix", folder, "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", `${name}@${version}`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return createRequire(folder)(name) as T;
}
