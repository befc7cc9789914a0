// bench:web — what a browser downloads before the chat app can draw: the JavaScript and CSS that index.html
// loads (not the chunks loaded later, such as the training dashboard), gzipped as the server would send them.
// The baseline is the budget: 150 KB of gzipped first-load JavaScript.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = fileURLToPath(new URL("../../apps/web/dist/", import.meta.url));
if (!existsSync(`${dist}index.html`)) throw new Error("apps/web is not built: npm run build -w @benih/web (npm ci does it)");
const html = readFileSync(`${dist}index.html`, "utf8");
const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
// Modules the entry imports statically are first-load too (Vite adds them as modulepreload links, matched above).
const sizes = assets.map((a) => {
  const bytes = readFileSync(dist + a);
  return { asset: a, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const js = sizes.filter((s) => s.asset.endsWith(".js")).reduce((n, s) => n + s.gzip, 0);
const css = sizes.filter((s) => s.asset.endsWith(".css")).reduce((n, s) => n + s.gzip, 0);
const BUDGET = 150 * 1024;
console.log("bench:web\n");
for (const s of sizes) console.log(`  ${s.asset}: ${(s.raw / 1024).toFixed(1)} KB, ${(s.gzip / 1024).toFixed(1)} KB gzipped`);
console.log(
  `first-load JavaScript: ${(js / 1024).toFixed(1)} KB gzipped (CSS ${(css / 1024).toFixed(1)} KB) → ${(js / BUDGET).toFixed(3)}× the 150 KB budget (${js <= BUDGET ? "met" : "NOT met"})`,
);
