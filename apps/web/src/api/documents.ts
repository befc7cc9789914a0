// Documents: uploads into the knowledge base (with progress), and whole-file translation.
import { readEvents } from "@benih/contracts";
import { authHeaders, eventData as parse, postForEvents } from "./http.ts";
import type { KbDocument } from "./types.ts";

/** Uploads a document into the knowledge base, reporting progress (0–1) as the bytes go out. */
export function uploadDocument(file: File, onProgress: (fraction: number) => void): Promise<KbDocument> {
  // XMLHttpRequest, not fetch: only it reports an upload's progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/knowledge/documents?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: { message: string } } | KbDocument | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) resolve(body as KbDocument);
      else reject(new Error((body as { error?: { message: string } } | undefined)?.error?.message ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("the upload did not reach the server"));
    xhr.send(file);
  });
}

/** Translates a whole file, reporting progress; resolves with the translation's file name and Markdown. */
export async function translateFile(
  file: File,
  target: string,
  model: string,
  onProgress: (done: number, total: number) => void,
): Promise<{ name: string; markdown: string }> {
  const query = new URLSearchParams({ name: file.name, target, model });
  const events = await postForEvents(`/v1/translate/documents?${query}`, {
    headers: { "content-type": "application/octet-stream" },
    body: file,
  });
  for await (const { event, data } of readEvents(events)) {
    if (event === "progress") {
      const p = parse<{ done: number; total: number }>(data);
      onProgress(p.done, p.total);
    } else if (event === "done") return parse(data);
    else if (event === "error") throw new Error(parse<{ message: string }>(data).message);
  }
  throw new Error("the translation ended early");
}
