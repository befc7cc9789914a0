/** Polls `f` every 100 ms until it returns something other than undefined (errors count as not yet); fails naming `what` after `ms`. */
export async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) {
    const v = await f().catch(() => undefined); // a server still starting (or restarting) is not yet
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}
