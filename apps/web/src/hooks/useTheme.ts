import { useEffect, useState } from "react";
import { store, stored } from "../storage.ts";

export type Theme = "light" | "dark";

/** Light or dark: the user's last choice, else the system's. */
export function useTheme() {
  const [theme, setTheme] = useState<Theme>(
    () => (stored("theme") as Theme | undefined) ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === "dark" ? "light" : "dark";
    setTheme(next);
    store("theme", next);
  };
  return { theme, toggle };
}
