import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { htmlToText } from "@benih/assistant";

describe("the text of a page", () => {
  it("keeps the page's words and title, drops code and furniture, breaks lines at blocks", () => {
    const page = `<html><head><title>A &amp; B</title><style>p{}</style></head><body><nav>menu</nav><h1>Hello</h1>
      <p>One&nbsp;two <b>three</b></p><!-- note --><script>evil()</script><p>Four<br>five &#20013; &#9999999;</p>
      <div>  six  </div><footer>© us</footer></body></html>`;
    assert.deepEqual(htmlToText(page), { title: "A & B", text: "Hello\n\nOne two three\n\nFour\n\nfive 中\n\nsix" });
  });

  it("reads pages built to make a backtracking parser take hours, in one pass", () => {
    // Each of these took seconds to minutes at a few hundred KB with the patterns this replaced.
    for (const page of [
      "<script ".repeat(250_000),
      "<title".repeat(300_000),
      "<!--".repeat(500_000),
      "<".repeat(2_000_000),
      `${"\n \u00a0".repeat(300_000)}x`,
    ]) {
      const { text } = htmlToText(page);
      assert.ok(text.length <= 1, JSON.stringify(text.slice(0, 20)));
    }
  });
});
