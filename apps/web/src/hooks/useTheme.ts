import { useEffect, useState } from "react";
import type { ThemeChoice } from "../preferences.ts";

export type Theme = "light" | "dark";

const dark = () => matchMedia("(prefers-color-scheme: dark)");

/** The theme shown for a choice: "system" follows the device, and changes when the device does. */
export function useTheme(choice: ThemeChoice): Theme {
  const [system, setSystem] = useState<Theme>(() => (dark().matches ? "dark" : "light"));
  useEffect(() => {
    const media = dark();
    const onChange = () => setSystem(media.matches ? "dark" : "light");
    media.addEventListener?.("change", onChange);
    return () => media.removeEventListener?.("change", onChange);
  }, []);
  const theme = choice === "system" ? system : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}
