// What a person may upload, apart from the zod schemas (conversations.ts) so that a page can check files against
// these without bringing zod into its first load.

/** The document types the knowledge base reads (GET /v1/settings lists them as this server takes them). */
export const DOCUMENT_UPLOAD_TYPES = [".pdf", ".docx", ".md", ".html", ".txt"];
/** The largest upload, in MB, unless `assistant.uploadMaxMb` says otherwise. */
export const DEFAULT_UPLOAD_MAX_MB = 25;
/** The types POST /v1/images/uploads takes (by their magic bytes too). */
export const IMAGE_UPLOAD_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
/** The most images one message may carry. */
export const MAX_MESSAGE_IMAGES = 4;
