import type { Tools } from "../respond.ts";

/** Tools of several kinds (skills', MCP servers') offered together: each call runs with the tools that define it. */
export function joinTools(...all: Array<Tools | undefined>): Tools | undefined {
  const present = all.filter((t): t is Tools => !!t);
  if (present.length < 2) return present[0];
  return {
    definitions: present.flatMap((t) => t.definitions),
    run: (call) => (present.find((t) => t.definitions.some((d) => d.function.name === call.name)) ?? present[0]!).run(call),
    // Each kind keeps its own calls: theirs are put together, not one kind's put over another's.
    meta: () => {
      const metas = present.map((t) => t.meta());
      const toolCalls = metas.flatMap((m) => (m.toolCalls as unknown[] | undefined) ?? []);
      return Object.assign({}, ...metas, toolCalls.length ? { toolCalls } : {});
    },
  };
}
