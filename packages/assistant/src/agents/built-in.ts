import type { AgentView } from "@benih/contracts";
import type { StoredAgent } from "@benih/store";

/** An agent as the API shows it: built in (fixed) or made by the user. */
export type Agent = AgentView;

/** The languages built-in agents speak: their names and starters are given in each. */
export const AGENT_LOCALES = ["zh", "en", "id"] as const;
export type AgentLocale = (typeof AGENT_LOCALES)[number];

/** A built-in agent: its starters in every language, shown in the reader's. */
export type BuiltInAgent = Omit<Agent, "starters"> & { starters: Record<AgentLocale, string[]> };

/**
 * The agents every user has. Their instructions are in English: models follow them in any language they answer in.
 * Their starters work on the smallest models too: the researcher's find benih's own docs (quoted, cited, when the
 * model's context cannot hold them); the translator's and writer's are answered, or explained, by the model's size.
 */
export const BUILT_IN_AGENTS: BuiltInAgent[] = [
  {
    id: "benih",
    builtIn: true,
    name: { en: "Assistant", zh: "助手", id: "Asisten" },
    // No system message: each model answers as it was trained to (benih-tiny, trained without one, stays exact).
    // No starters either: what to ask depends on the model, whose examples GET /v1/models lists.
    // The calculator is offered to every model: one that cannot call tools answers without it (respond.ts).
    instructions: "",
    model: null,
    skills: ["calculator"],
    starters: { zh: [], en: [], id: [] },
    toolUse: true,
  },
  {
    id: "translator",
    builtIn: true,
    name: { en: "Translator", zh: "翻译", id: "Penerjemah" },
    instructions: "You translate the user's messages. Keep formatting and code intact.",
    model: null,
    skills: ["translate"],
    starters: {
      zh: ["今天天气很好。", "日本的首都是东京。"],
      en: ["The weather is nice today.", "Tokyo is the capital of Japan."],
      id: ["Cuaca hari ini cerah.", "Tokyo adalah ibu kota Jepang."],
    },
    toolUse: false,
  },
  {
    id: "writer",
    builtIn: true,
    name: { en: "Writer", zh: "写作助手", id: "Penulis" },
    instructions: "You help the user write: summaries, rewrites, emails and outlines. Match their language and tone.",
    model: null,
    skills: ["write"],
    starters: {
      zh: ["我们的会议改到星期五。", "介绍一下印度尼西亚。"],
      en: ["Our meeting moves to Friday.", "An introduction to Indonesia"],
      id: ["Rapat kita pindah ke hari Jumat.", "Perkenalan tentang Indonesia"],
    },
    toolUse: false,
  },
  {
    id: "researcher",
    builtIn: true,
    name: { en: "Researcher", zh: "研究员", id: "Peneliti" },
    instructions: "You answer from the user's documents and cite them. When they do not hold the answer, say so.",
    model: null,
    skills: ["search"],
    starters: {
      zh: ["npm start 之后打开哪个网址？", "怎样用 benih train 训练模型？"],
      en: ["What are markets?", "How do I train a model?"],
      id: ["Apa itu markets di benih?", "Bagaimana cara melatih model dengan benih train?"],
    },
    toolUse: false,
  },
];

/** A built-in agent as the API shows it, with its starters in `locale` (English where it has none). */
export const builtInView = (a: BuiltInAgent, locale: string): Agent => ({
  ...a,
  starters: a.starters[AGENT_LOCALES.find((l) => l === locale) ?? "en"],
});

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
