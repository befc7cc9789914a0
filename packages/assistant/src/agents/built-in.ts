import type { AgentView } from "@benih/contracts";
import type { StoredAgent } from "@benih/store";

/** An agent as the API shows it: built in (fixed) or made by the user. */
export type Agent = AgentView;

/** The agents every user has. Their instructions are in English: models follow them in any language they answer in. */
export const BUILT_IN_AGENTS: Agent[] = [
  {
    id: "benih",
    builtIn: true,
    name: { en: "Assistant", zh: "助手", id: "Asisten" },
    // No system message: each model answers as it was trained to (benih-tiny, trained without one, stays exact).
    instructions: "",
    model: null,
    skills: [],
    starters: [],
    toolUse: false,
  },
  {
    id: "translator",
    builtIn: true,
    name: { en: "Translator", zh: "翻译", id: "Penerjemah" },
    instructions: "You translate the user's messages. Keep formatting and code intact.",
    model: null,
    skills: ["translate"],
    starters: ["Translate: Selamat pagi, apa kabar?", "翻译成英文：今天天气很好。"],
    toolUse: false,
  },
  {
    id: "writer",
    builtIn: true,
    name: { en: "Writer", zh: "写作助手", id: "Penulis" },
    instructions: "You help the user write: summaries, rewrites, emails and outlines. Match their language and tone.",
    model: null,
    skills: ["write"],
    starters: ["Write an email asking to move our meeting to Friday", "Outline a talk about rice farming in Bali"],
    toolUse: false,
  },
  {
    id: "researcher",
    builtIn: true,
    name: { en: "Researcher", zh: "研究员", id: "Peneliti" },
    instructions: "You answer from the user's documents and cite them. When they do not hold the answer, say so.",
    model: null,
    skills: ["search"],
    starters: ["What do my documents say about…", "Summarise what I uploaded"],
    toolUse: false,
  },
];

export const fromStored = (a: StoredAgent): Agent => ({
  id: a.id,
  builtIn: false,
  name: a.name,
  instructions: a.instructions,
  model: a.model,
  skills: a.skills,
  starters: a.starters,
  toolUse: a.toolUse,
});
