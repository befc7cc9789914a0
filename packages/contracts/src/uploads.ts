// What images a message may carry, apart from the zod schemas (conversations.ts) so that a page can check files
// against these without bringing zod into its first load.

/** The types POST /v1/images/uploads takes (by their magic bytes too). */
export const IMAGE_UPLOAD_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
/** The most images one message may carry. */
export const MAX_MESSAGE_IMAGES = 4;
