import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const shipped = fileURLToPath(new URL("../../../../deploy/haproxy/haproxy.cfg", import.meta.url));

/**
 * The HAProxy configuration compose.yaml ships (deploy/haproxy/haproxy.cfg), on loopback: the same balancing,
 * checks, retries and timeouts, with its listener and instances replaced by `port` and `backends`, Docker's DNS
 * left out, and checks every 200 ms instead of every 2 s (one failed check takes an instance out) so that tests
 * and benches need not wait. Fails if the shipped file no longer has what it replaces.
 */
export function loopbackHaproxyConfig(port: number, backends: Array<{ name: string; port: number }>): string {
  let cfg = readFileSync(shipped, "utf8");
  const replace = (pattern: RegExp, by: string) => {
    if (!pattern.test(cfg)) throw new Error(`deploy/haproxy/haproxy.cfg has no ${pattern}: update loopbackHaproxyConfig`);
    cfg = cfg.replace(pattern, by);
  };
  replace(/^# Docker's DNS[^\n]*\nresolvers docker\n(?: {2}[^\n]*\n)+/m, "");
  replace(/^ {2}bind :8080$/m, `  bind 127.0.0.1:${port}`);
  replace(/^ {2}default-server check inter 2s fall 2 rise 2 resolvers docker [^\n]*$/m, "  default-server check inter 200ms fall 1 rise 2");
  replace(/(?:^ {2}server benih-\d+ [^\n]*\n?)+/m, `${backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`).join("\n")}\n`);
  return cfg;
}
