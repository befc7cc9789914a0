// Documents: uploads into the knowledge base (with progress), and whole-file translation; the upload of a file itself.
import { readEvents } from "@benih/contracts";
import { authHeaders, eventData as parse, postForEvents } from "./http.ts";
import type { KbDocument } from "./types.ts";

/** The server refused an upload: its status, its error code and its message (English, for the detail). */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Posts a file as the request body, reporting progress (0–1) as its bytes go out; resolves with the server's JSON
 * when it answers 201, else rejects with its error.
 */
export function postFile<T>(url: string, file: File, type: string, onProgress: (fraction: number) => void): Promise<T> {
  // XMLHttpRequest, not fetch: only it reports an upload's progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", type);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: { message: string; code?: string } } | T | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) resolve(body as T);
      else {
        const error = (body as { error?: { message: string; code?: string } } | undefined)?.error;
        reject(new UploadError(error?.message ?? `HTTP ${xhr.status}`, xhr.status, error?.code));
      }
    };
    xhr.onerror = () => reject(new UploadError("the upload did not reach the server", 0, undefined));
    xhr.send(file);
  });
}

/** Uploads a document into the knowledge base, reporting progress (0–1) as the bytes go out. */
export const uploadDocument = (file: File, onProgress: (fraction: number) => void) =>
  postFile<KbDocument>(`/v1/knowledge/documents?name=${encodeURIComponent(file.name)}`, file, "application/octet-stream", onProgress);

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
