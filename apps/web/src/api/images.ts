// Images the user attaches to a message: kept by the server (POST /v1/images/uploads), sent by id with the message.
import type { ImageView } from "@benih/contracts";
import { postFile } from "./documents.ts";

/** Uploads an image as it is (its own type), reporting progress (0–1) as the bytes go out. */
export const uploadImage = (file: File, onProgress: (fraction: number) => void) =>
  postFile<ImageView>("/v1/images/uploads", file, file.type, onProgress);
