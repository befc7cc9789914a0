import { lookup } from "node:dns";
import { Agent, fetch as undiciFetch } from "undici";

/** A mistake in how benih was called: exits 2, and prints the command's usage unless `showUsage` is false. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** The server URL the client commands talk to: --url, BENIH_URL, else what `benih serve` uses by default. */
export function serverURL(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return (flag ?? env.BENIH_URL ?? `http://127.0.0.1:${env.PORT ?? 8080}`).replace(/\/+$/, "");
}

export function authHeaders(key: string | undefined): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

// Names under .localhost are this machine (RFC 6761), as browsers treat them, so `--url http://cn.localhost:8080`
// reaches the local server with the Host header that picks the cn market.
const loopbackAgent = new Agent({
  // A dataset upload is answered once its region has checked it (the server waits up to 15 minutes for that).
  headersTimeout: 20 * 60_000,
  connect: {
    lookup: (hostname, options, callback) => {
      if (hostname !== "localhost" && !hostname.endsWith(".localhost")) return lookup(hostname, options, callback);
      // net.connect asks for every address when it races IPv4 and IPv6, for one otherwise.
      if ((options as { all?: boolean }).all) callback(null, [{ address: "127.0.0.1", family: 4 }] as never, 4);
      else callback(null, "127.0.0.1", 4);
    },
  },
});

/** A fetch to the benih server that turns "nothing is listening" into a hint. */
export async function callServer(url: string, init?: RequestInit): Promise<Response> {
  try {
    return (await undiciFetch(url, { ...(init as object), dispatcher: loopbackAgent })) as unknown as Response;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === "ECONNREFUSED")
      throw new UsageError(`no benih server at ${new URL(url).origin}: start one with \`npm start\` (or pass --url)`, false);
    throw new Error(`cannot reach ${new URL(url).origin}: ${cause?.message ?? (err as Error).message}`);
  }
}

export async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  }
}
