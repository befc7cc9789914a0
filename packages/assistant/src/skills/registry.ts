// The assistant's skills: what a message's chip (`skill` + `options`) runs, and what an agent's `skills` name.
// Conversations find skills here only; nothing else switches on a skill's id.
//
// Adding a skill: make a folder skills/<id>/ whose index.ts exports a `Skill` (skill.ts): its id, its options
// schema (declared in @benih/contracts' conversations.ts when a client sends them), `answer` for the chip (the
// instructions and meta a model answers under, or media the skill answers with itself; left out by a skill that
// is only an API, like voice, or only a tool, like the calculator), optionally `tool` (a search or a pure function
// a tool-using agent's model calls), `unavailable` (what to configure when it cannot run) and `routes` (its own
// HTTP API). Then add its one registration line below.
import { GatewayError } from "@benih/gateway";
import { calculatorSkill } from "./calculator/index.ts";
import { imageSkill } from "./image/index.ts";
import { searchSkill } from "./search/index.ts";
import type { Skill, SkillServices, SkillTool } from "./skill.ts";
import { voiceSkill } from "./voice/index.ts";
import { translateSkill } from "./translate/index.ts";
import { videoSkill } from "./video/index.ts";
import { webSkill } from "./web/index.ts";
import { writeSkill } from "./write/index.ts";

/** A skill a message can choose with its chip. */
export type ChipSkill = Skill & Required<Pick<Skill, "answer">>;

const isChip = (skill: Skill): skill is ChipSkill => !!skill.answer;

export class SkillRegistry {
  private readonly byId = new Map<string, Skill>();

  register<Options>(skill: Skill<Options>): this {
    if (this.byId.has(skill.id)) throw new Error(`a skill ${skill.id} is registered already`);
    this.byId.set(skill.id, skill as Skill);
    return this;
  }

  /** Every skill, chips or not (their routes are registered). */
  all(): Skill[] {
    return [...this.byId.values()];
  }

  /** The skills a message (or an agent) can choose. */
  chips(): ChipSkill[] {
    return this.all().filter(isChip);
  }

  ids(): string[] {
    return this.chips().map((s) => s.id);
  }

  /** The chip named `id`, or a 400 naming those there are (`param` is where the request named it). */
  get(id: string, param = "skill"): ChipSkill {
    const skill = this.byId.get(id);
    if (skill && !isChip(skill))
      throw new GatewayError(
        400,
        "invalid_request_error",
        `${param}: ${id} is not chosen per message; it has its own API`,
        "invalid_skill",
        param,
      );
    if (!skill)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `${param}: there is no skill ${JSON.stringify(id)}; this server has ${this.ids().join(", ")}`,
        "invalid_skill",
        param,
      );
    return skill;
  }

  /** A skill an agent may name: a chip, or a skill that is only a tool its model calls (the calculator). */
  forAgent(id: string, param: string): Skill {
    const skill = this.byId.get(id);
    return skill?.tool && !skill.answer ? skill : this.get(id, param);
  }

  /** The tools of those of `ids` that can be tools and can run here. */
  tools(ids: readonly string[], services: SkillServices): SkillTool[] {
    return ids.flatMap((id) => {
      const skill = this.byId.get(id);
      return skill?.tool && !skill.unavailable?.(services) ? [skill.tool] : [];
    });
  }
}

/** The skills every server has. */
export const skills = new SkillRegistry()
  .register(searchSkill)
  .register(webSkill)
  .register(translateSkill)
  .register(writeSkill)
  .register(imageSkill)
  .register(videoSkill)
  .register(voiceSkill)
  .register(calculatorSkill);
