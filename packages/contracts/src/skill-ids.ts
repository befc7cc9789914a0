// The skills' ids and the writing templates, apart from their zod schemas (conversations.ts) so that a page can take
// these lists without bringing zod into its first load.

/** The skills every server has. A server may register more; the web app offers these. */
export const SKILL_IDS = ["search", "web", "translate", "write", "image", "video"] as const;
export type SkillId = (typeof SKILL_IDS)[number];

export const WRITING_TEMPLATES = ["summarise", "rewrite", "email", "outline"] as const;
export type WritingTemplate = (typeof WRITING_TEMPLATES)[number];
