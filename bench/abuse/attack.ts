// The attacker's side of bench:abuse, in its own process so that sending 20 MB does not delay the prober: sends
// every hostile input at once to the server at argv[2], and prints what each got back as one JSON line.
import { docxBomb, pdfBomb } from "../../apps/server/test/bombs.ts";

const base = process.argv[2]!;
const word = "seed ";
const chat = (body: unknown) => ({ path: "/v1/chat/completions", type: "application/json", body: Buffer.from(JSON.stringify(body)) });
const inputs: Record<string, { path: string; type: string; body: Buffer }> = {
  "1 MB DOCX bomb (300 MB unzipped)": {
    path: "/v1/knowledge/documents?name=bomb.docx",
    type: "application/octet-stream",
    body: await docxBomb({ megabytes: 300 }),
  },
  "2,000-page shared-stream PDF": {
    path: "/v1/knowledge/documents?name=pages.pdf",
    type: "application/octet-stream",
    body: pdfBomb({ pages: 2000, ops: 300 }),
  },
  "20 MB prompt": chat({ model: "benih-tiny-global", messages: [{ role: "user", content: word.repeat(4_200_000) }] }),
  "15 MB prompt": chat({ model: "benih-tiny-global", messages: [{ role: "user", content: word.repeat(3_000_000) }] }),
  "600,000 messages": chat({
    model: "benih-tiny-global",
    messages: Array.from({ length: 600_000 }, () => ({ role: "user", content: "seed" })),
  }),
  "100 KB prompt to a 128-token model": chat({ model: "benih-tiny-global", messages: [{ role: "user", content: word.repeat(20_000) }] }),
};
// BENCH_ONLY=<part of a name> sends only the matching inputs (to find which one costs the most).
const only = process.env.BENCH_ONLY;
const t0 = performance.now();
const results = await Promise.all(
  Object.entries(inputs)
    .filter(([what]) => !only || what.includes(only))
    .map(async ([what, i]) => {
      let res: Response;
      try {
        res = await fetch(base + i.path, { method: "POST", headers: { "content-type": i.type }, body: i.body });
      } catch (err) {
        // The server answered and closed the connection before the whole body was written: no answer to read.
        const cause = (err as Error & { cause?: { code?: string } }).cause;
        return {
          what,
          bytes: i.body.length,
          status: 0,
          ms: Math.round(performance.now() - t0),
          code: cause?.code ?? "fetch_failed",
          message: String(cause ?? err),
        };
      }
      const body = (await res.json()) as { error?: { code: string; message: string } };
      return {
        what,
        bytes: i.body.length,
        status: res.status,
        ms: Math.round(performance.now() - t0),
        code: body.error?.code ?? null,
        message: body.error?.message.slice(0, 120) ?? null,
      };
    }),
);
process.stdout.write(`${JSON.stringify(results)}\n`);
