import { describe, expect, it } from "vitest";
import { sentences } from "../src/thread/sentences.ts";

// What read-aloud can speak while an answer still streams: whole sentences only, in every language the app has.
describe("sentences", () => {
  it("gives the whole sentences so far and where the rest begins, keeping a half-written one back", () => {
    const text = "Jakarta is the capital. It is on Java. The city has";
    const r = sentences(text, 0, false);
    expect(r.parts).toEqual(["Jakarta is the capital.", "It is on Java."]);
    expect(text.slice(r.next).trim()).toBe("The city has");
    expect(sentences(`${text} ten million people. More`, r.next, false).parts).toEqual(["The city has ten million people."]);
  });

  it("waits on a full stop at the very end while streaming (3. may become 3.5), and speaks the rest once done", () => {
    expect(sentences("It costs 3.", 0, false).parts).toEqual([]);
    expect(sentences("It costs 3.5 dollars", 0, true).parts).toEqual(["It costs 3.5 dollars"]);
  });

  it("splits Chinese at 。！？ and drops Markdown's marks", () => {
    expect(sentences("**雅加达**是首都。它在爪哇岛！", 0, false).parts).toEqual(["雅加达 是首都。", "它在爪哇岛！"]);
    expect(sentences("- see [the map](https://example.com)\n", 0, false).parts).toEqual(["- see the map"]);
  });
});
