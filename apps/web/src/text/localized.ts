export type Locale = "zh" | "en" | "id";

/** One area's strings in every language: each language has exactly the keys English has. */
export type Localized<T extends Record<string, string>> = Record<Locale, { [K in keyof T]: string }>;
