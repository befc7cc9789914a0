import { useState } from "react";

// The upload and translation code loads with the first document attached, not with the page.
const documents = () => import("../api/documents.ts");

export interface Upload {
  name: string;
  progress: number;
  state: "sending" | "indexed" | "failed" | "translating" | "translated";
  error?: string;
  /** The knowledge-base document, once indexed. */
  id?: string;
  file: File;
}

/** Documents attached to the next message: uploaded (with progress) into the knowledge base, or translated whole. */
export function useUploads() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = (name: string, u: Partial<Upload>) => setUploads((us) => us.map((x) => (x.name === name ? { ...x, ...u } : x)));

  /** Uploads chosen files one at a time; a file of the same name replaces the earlier one. */
  async function attach(files: File[]) {
    for (const file of files) {
      setUploads((us) => [...us.filter((x) => x.name !== file.name), { name: file.name, progress: 0, state: "sending", file }]);
      try {
        const { uploadDocument } = await documents();
        const doc = await uploadDocument(file, (progress) => update(file.name, { progress }));
        update(file.name, { progress: 1, state: "indexed", id: doc.id });
      } catch (e) {
        update(file.name, { state: "failed", error: (e as Error).message });
      }
    }
  }

  /** Translates an attached file whole, with progress, and saves the translation as Markdown. */
  async function translate(u: Upload, target: string, model: string) {
    update(u.name, { state: "translating", progress: 0 });
    try {
      const { translateFile } = await documents();
      const out = await translateFile(u.file, target, model, (done, total) => update(u.name, { progress: done / total }));
      const a = Object.assign(document.createElement("a"), {
        href: URL.createObjectURL(new Blob([out.markdown], { type: "text/markdown" })),
        download: out.name,
      });
      a.click();
      update(u.name, { state: "translated", progress: 1 });
    } catch (e) {
      update(u.name, { state: "failed", error: (e as Error).message });
    }
  }

  return {
    uploads,
    attach,
    translate,
    remove: (name: string) => setUploads((us) => us.filter((x) => x.name !== name)),
    /** The indexed documents, taken off the list: they go with the message being sent. */
    take: () => {
      setUploads((us) => us.filter((u) => u.state !== "indexed"));
      return uploads.flatMap((u) => (u.state === "indexed" && u.id ? [u.id] : []));
    },
  };
}
