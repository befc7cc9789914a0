import { Writable, type Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** The content codings a fetch decodes, for `accept-encoding`. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

const decoders: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate, // HTTP's deflate is the zlib format
  br: createBrotliDecompress,
};

export class BodyRefused extends Error {}

/**
 * Reads a response body, undoing its `content-encoding` (gzip, deflate, br; codings applied in turn are undone in
 * reverse), and counts the decoded bytes: past `maxBytes` it stops reading and destroys the streams, so a small
 * compressed body that inflates to gigabytes costs no more than `maxBytes`. Then it either returns what came so far
 * (`overflow: "truncate"`, for pages) or throws (`"refuse"`, for files that are useless cut short).
 */
export async function readBody(
  body: Readable,
  encoding: string | string[] | undefined,
  maxBytes: number,
  overflow: "truncate" | "refuse",
): Promise<Buffer> {
  const codings = String(encoding ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== "identity");
  const unknown = codings.find((c) => !decoders[c]);
  if (unknown) {
    body.on("error", () => {}).destroy();
    throw new BodyRefused(`the body is encoded as ${unknown}, which is not decoded (only gzip, deflate and br)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Why the reader stopped early; pipeline() may report the aborting of the streams before it instead.
  let stopped: "full" | BodyRefused | undefined;
  try {
    // pipeline() destroys every stream when one fails or the reader stops, so nothing goes on inflating.
    const reader = new Writable({
      write(c: Buffer, _encoding, done) {
        if (size + c.length <= maxBytes) {
          size += c.length;
          chunks.push(c);
          return done();
        }
        if (overflow === "refuse") return done((stopped = new BodyRefused(`the body is larger than ${maxBytes} bytes`)));
        chunks.push(c.subarray(0, maxBytes - size));
        stopped = "full";
        done(new Error("full"));
      },
    });
    await pipeline([body, ...codings.reverse().map((c) => decoders[c]!()), reader]);
  } catch (err) {
    if (stopped === "full") return Buffer.concat(chunks);
    if (stopped) throw stopped;
    throw new BodyRefused(`the body could not be read (${codings.join(", ") || "not encoded"}): ${(err as Error).message}`);
  }
  return Buffer.concat(chunks);
}
