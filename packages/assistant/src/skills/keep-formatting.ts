/** What instruction skills (translate, write) tell a model to leave as it is. */
export const KEEP_FORMATTING =
  "Keep Markdown formatting, code blocks, inline code, URLs, numbers and placeholders such as {name} or %s exactly as they are.";
