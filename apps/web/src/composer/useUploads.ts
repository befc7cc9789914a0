import { MAX_MESSAGE_IMAGES, type ImageView } from "@benih/contracts";
import { useState } from "react";
import type { Settings } from "../api/types.ts";
import { t, type Locale, fillText } from "../i18n.ts";
import { isImage, refusalOf, serverRefusal } from "./fileCheck.ts";

// The upload and translation code loads with the first file attached, not with the page.
const documents = () => import("../api/documents.ts");
const images = () => import("../api/images.ts");

export interface Upload {
  name: string;
  progress: number;
  /**
   * indexed: a document in the knowledge base; attached: an image kept for the message. refused: checked in the
   * browser and never sent; failed: the server refused it or could not be reached.
   */
  state: "sending" | "indexed" | "attached" | "refused" | "failed" | "translating" | "translated";
  /** Why it was refused or failed, in the user's language. */
  error?: string;
  /** The server's own words, shown smaller under the error. */
  detail?: string;
  /** The knowledge-base document, once indexed. */
  id?: string;
  /** The image kept, once attached. */
  image?: ImageView;
  file: File;
}

/**
 * Files attached to the next message: documents uploaded (with progress) into the knowledge base, or translated
 * whole; images kept for the model to see.
 */
export function useUploads(settings: Settings | null, locale: Locale) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = (name: string, u: Partial<Upload>) => setUploads((us) => us.map((x) => (x.name === name ? { ...x, ...u } : x)));
  const put = (u: Upload) => setUploads((us) => [...us.filter((x) => x.name !== u.name), u]);
  const failed = async (name: string, e: unknown) => {
    const { UploadError } = await documents();
    const status = e instanceof UploadError ? e.status : 0;
    update(name, { state: "failed", error: serverRefusal(name, status, locale), detail: (e as Error).message });
  };

  /**
   * Uploads files one at a time; a file of the same name replaces the earlier one. A file the server would refuse
   * (too large, a type it does not read, an image past the most a message carries) is listed with the reason and
   * never sent.
   */
  async function attach(files: File[]) {
    let imagesHeld = uploads.filter((u) => u.image || (u.state === "sending" && isImage(u.file))).length;
    for (const file of files) {
      const refusal =
        refusalOf(file, settings, locale) ??
        (isImage(file) && imagesHeld >= MAX_MESSAGE_IMAGES
          ? fillText(t(locale, "tooManyImages"), { name: file.name, limit: MAX_MESSAGE_IMAGES })
          : null);
      if (refusal) {
        put({ name: file.name, progress: 0, state: "refused", error: refusal, file });
        continue;
      }
      put({ name: file.name, progress: 0, state: "sending", file });
      const progress = (p: number) => update(file.name, { progress: p });
      try {
        if (isImage(file)) {
          imagesHeld++;
          const { uploadImage } = await images();
          update(file.name, { progress: 1, state: "attached", image: await uploadImage(file, progress) });
        } else {
          const { uploadDocument } = await documents();
          update(file.name, { progress: 1, state: "indexed", id: (await uploadDocument(file, progress)).id });
        }
      } catch (e) {
        await failed(file.name, e);
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
      await failed(u.name, e);
    }
  }

  return {
    uploads,
    attach,
    translate,
    remove: (name: string) => setUploads((us) => us.filter((x) => x.name !== name)),
    /** The indexed documents and attached images, taken off the list with the refusals: they go with the message being sent. */
    take: () => {
      setUploads((us) => us.filter((u) => u.state !== "indexed" && u.state !== "attached" && u.state !== "refused"));
      return {
        attachments: uploads.flatMap((u) => (u.state === "indexed" && u.id ? [u.id] : [])),
        images: uploads.flatMap((u) => (u.state === "attached" && u.image ? [u.image.id] : [])),
      };
    },
  };
}
