import type { IncomingMessage } from "node:http";

/** A multipart form as a loopback provider receives it (OpenAI's audio uploads), parsed by the platform's FormData. */
export async function formOf(req: IncomingMessage): Promise<FormData> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new Request("http://loopback", {
    method: "POST",
    headers: req.headers as Record<string, string>,
    body: Buffer.concat(chunks),
  }).formData();
}
