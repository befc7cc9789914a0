import type { MemoryList, MemoryView } from "@benih/contracts";
import { apiError, authed, call } from "./http.ts";

/** The person's memories (/v1/memories). */
export const memories = {
  list: () => call<MemoryList>("GET", "/v1/memories"),
  add: (content: string) => call<MemoryView>("POST", "/v1/memories", { content }),
  update: (id: string, content: string) => call<MemoryView>("PATCH", `/v1/memories/${encodeURIComponent(id)}`, { content }),
  remove: (id: string) => call<void>("DELETE", `/v1/memories/${encodeURIComponent(id)}`),
  removeAll: () => call<{ deleted: number }>("DELETE", "/v1/memories"),
  setEnabled: (enabled: boolean) => call<{ enabled: boolean }>("PUT", "/v1/memories/settings", { enabled }),
  /** The export as a file to save: fetched with the key or session, since a plain link carries no key. */
  async export(): Promise<Blob> {
    const res = await authed("/v1/memories/export");
    if (!res.ok) throw await apiError(res);
    return res.blob();
  },
};
