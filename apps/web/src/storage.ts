// This browser's remembered choices (theme, language per market), under one prefix.
export const stored = (key: string) => localStorage.getItem(`benih.${key}`) ?? undefined;
export const store = (key: string, value: string) => localStorage.setItem(`benih.${key}`, value);
