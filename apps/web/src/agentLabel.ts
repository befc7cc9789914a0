import type { AgentView } from "@benih/contracts";
import type { Locale } from "./i18n.ts";

/** An agent's name in the UI language: a built-in one has one per language, a person's own has the one they gave. */
export const agentLabel = (a: AgentView, l: Locale) => (typeof a.name === "string" ? a.name : (a.name[l] ?? a.name.en ?? a.id));
