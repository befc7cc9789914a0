import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { solidPng, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";

// The composer, the conversation list's menus and the agent editor in real Chromium against the whole server,
// answered by a loopback OpenAI server whose `echo` model repeats the message.
describe("composer, sidebar and agents in Chromium", { skip: browserSkip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [] });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: "routes:\n  - { model: echo, targets: [{ provider: openai, model: echo }] }\n",
    });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  /** A page on the app with the echo model chosen, and every upload it sends. */
  async function open(width = 1280) {
    const page = await browser.newPage({ viewport: { width, height: 820 } });
    const uploads: string[] = [];
    page.on("request", (r) => r.url().includes("/v1/knowledge/documents") && r.method() === "POST" && uploads.push(r.url()));
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("echo");
    return { page, uploads };
  }
  /**
   * Drops or pastes a file made in the page, as a person's drag or paste would deliver it. A string to evaluate: the
   * DOM's types are the page's, not this file's.
   */
  const dispatch = (
    page: Page,
    testId: string,
    event: "dragenter" | "drop" | "paste",
    file: { name: string; type: string; bytes: number[] },
  ) =>
    page.evaluate(`(() => {
      const f = ${JSON.stringify(file)};
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
      const init = { bubbles: true, cancelable: true, ${event === "paste" ? "clipboardData" : "dataTransfer"}: data };
      document.querySelector('[data-testid="${testId}"]').dispatchEvent(new ${event === "paste" ? "ClipboardEvent" : "DragEvent"}("${event}", init));
    })()`);
  /** The width of the picture an <img> shows, once it has loaded (0 when it could not be shown). */
  const loadedWidth = (img: Locator) =>
    img.evaluate(
      (el) =>
        new Promise<number>((resolve) => {
          const i = el as unknown as { complete: boolean; naturalWidth: number };
          if (i.complete) resolve(i.naturalWidth);
          el.addEventListener("load", () => resolve(i.naturalWidth));
          el.addEventListener("error", () => resolve(0));
        }),
    );
  const ask = async (page: Page, text: string) => {
    await page.getByTestId("input").fill(text);
    await page.getByTestId("input").press("Enter");
    await page.getByTestId("assistant-turn").last().and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
  };

  it("attaches a dropped file, a pasted one and a pasted screenshot, refuses a 30 MB file before any upload, naming the limit", async () => {
    const { page, uploads } = await open();
    // A drag shows where files go; the drop attaches them.
    const trip = { name: "trip.md", type: "text/markdown", bytes: [...Buffer.from("# Trip\n\nWe fly to Bali on Friday.")] };
    await dispatch(page, "dock", "dragenter", trip);
    await page.getByTestId("drop-zone").waitFor();
    await dispatch(page, "dock", "drop", trip);
    await page.getByTestId("upload").filter({ hasText: "trip.md" }).and(page.locator('[data-state="indexed"]')).waitFor();
    assert.equal(await page.getByTestId("drop-zone").count(), 0);

    // A pasted file is attached; a pasted screenshot is named by its time and attached as an image, with a thumbnail.
    const paste = (name: string, type: string, bytes: number[]) => dispatch(page, "input", "paste", { name, type, bytes });
    await paste("notes.txt", "text/plain", [...Buffer.from("Jakarta is the capital.")]);
    await page.getByTestId("upload").filter({ hasText: "notes.txt" }).and(page.locator('[data-state="indexed"]')).waitFor();
    await paste("image.png", "image/png", [...solidPng(64, 40, [30, 120, 200])]);
    const shot = page.getByTestId("upload").filter({ hasText: /^screenshot-\d{8}-\d{6}\.png/ });
    await shot.and(page.locator('[data-state="attached"]')).waitFor();
    assert.equal(await loadedWidth(shot.getByTestId("upload-thumbnail")), 64, "the thumbnail shows the image");
    // An image the server would not take is refused in the browser.
    await paste("logo.svg", "image/svg+xml", [...Buffer.from("<svg/>")]);
    assert.equal(
      await page.getByTestId("upload").filter({ hasText: "logo.svg" }).getByTestId("upload-error").textContent(),
      "logo.svg cannot be attached: images can be PNG, JPEG, WebP or GIF",
    );

    // 30 MB, over the default 25 MB: refused in the browser, never uploaded.
    await page
      .getByTestId("attach")
      .setInputFiles({ name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(30 * 1024 * 1024) });
    const refused = page.getByTestId("upload").filter({ hasText: "report.pdf" });
    assert.equal(await refused.getAttribute("data-state"), "refused");
    assert.equal(await refused.getByTestId("upload-error").textContent(), "report.pdf is 30 MB; the limit is 25 MB");
    await page.screenshot({ path: `${shots}/composer-attachments.png` });
    assert.deepEqual(
      uploads.map((u) => new URL(u).searchParams.get("name")),
      ["trip.md", "notes.txt"],
      "only the files within the limits went to the server",
    );

    // The input grows with a long message, up to 40% of the window, and shrinks back once it is sent.
    const height = () => page.getByTestId("input").evaluate((el) => el.getBoundingClientRect().height);
    const one = await height();
    await page.getByTestId("input").fill("line\n".repeat(6).trim());
    const six = await height();
    await page.getByTestId("input").fill("line\n".repeat(60).trim());
    const sixty = await height();
    assert.ok(six > one * 2 && sixty > six, `it grows: ${one} → ${six} → ${sixty}`);
    assert.ok(sixty <= 820 * 0.4 + 1, `at most 40% of the window: ${sixty}`);
    await page.getByTestId("input").fill("What is in my files?");
    await page.getByTestId("input").press("Enter");
    await page.getByTestId("assistant-turn").last().and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
    assert.equal(await height(), one);
    // The sent question shows its screenshot, fetched from the server; the model was sent it with the text.
    const sentImage = page.getByTestId("user-turn").last().getByTestId("attached-image");
    await sentImage.waitFor();
    assert.equal(await loadedWidth(sentImage), 64, "the image loaded from the server");
    assert.equal(await page.getByTestId("upload").count(), 0, "the files went with the message; the refusals were cleared");
    const asked = upstream.seen.filter((r) => r.path.endsWith("/chat/completions")).at(-1)!.body as {
      messages: Array<{ role: string; content: unknown }>;
    };
    const question = asked.messages.at(-1)!.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    assert.equal(question[0]!.text, "What is in my files?");
    assert.match(question[1]!.image_url!.url, /^data:image\/png;base64,iVBORw0KGgo/);
    await page.screenshot({ path: `${shots}/composer-image-sent.png` });
    await page.close();
  });

  it("renames and deletes conversations (not only the open one) through dialogs, kept after a reload", async () => {
    const { page } = await open();
    await ask(page, "First question");
    await page.getByTestId("new-chat").click();
    await ask(page, "Second question");
    const items = page.getByTestId("conversation-item");
    await items.filter({ hasText: "First question" }).waitFor();

    // Rename the conversation that is not open, from its ⋯ menu, reached with the keyboard.
    const first = page.getByTestId("conversation-row").filter({ hasText: "First question" });
    await first.getByTestId("conversation-menu").focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter"); // the first item, Rename, has focus
    const field = page.getByTestId("rename-input");
    assert.equal(await field.inputValue(), "First question");
    await page.screenshot({ path: `${shots}/sidebar-rename.png` });
    await field.fill("Capitals");
    await page.keyboard.press("Enter");
    await items.filter({ hasText: "Capitals" }).waitFor();
    assert.match((await page.getByTestId("user-turn").last().textContent()) ?? "", /Second question/, "the open one stays open");

    // Escape cancels a rename.
    await page.getByTestId("conversation-row").filter({ hasText: "Capitals" }).getByTestId("conversation-menu").click();
    await page.getByTestId("rename").click();
    await page.getByTestId("rename-input").fill("Never saved");
    await page.keyboard.press("Escape");
    await page.getByTestId("rename-dialog").waitFor({ state: "detached" });

    // Delete the open one, after confirming.
    await page.getByTestId("conversation-row").filter({ hasText: "Second question" }).getByTestId("conversation-menu").click();
    await page.screenshot({ path: `${shots}/sidebar-menu.png` });
    await page.getByTestId("delete").click();
    await page.getByTestId("delete-dialog").waitFor();
    await page.screenshot({ path: `${shots}/sidebar-delete.png` });
    await page.getByTestId("dialog-confirm").click();
    await items.filter({ hasText: "Second question" }).waitFor({ state: "detached" });

    await page.reload();
    await items.first().waitFor();
    const titles = await items.allTextContents();
    assert.ok(titles.includes("Capitals") && !titles.some((x) => /First question|Second question/.test(x)), titles.join(", "));
    await page.getByTestId("search").fill("zebra crossing");
    await page.getByTestId("no-conversations").getByText("No conversations match “zebra crossing”").waitFor();
    await page.close();
  });

  it("turns the chosen skill chip off for a new chat, and says why a greyed one is greyed, on a phone", async () => {
    const { page } = await open(390);
    await page.getByTestId("skill-write").click();
    assert.equal(await page.getByTestId("skill-write").getAttribute("aria-pressed"), "true");
    await page.getByTestId("menu").click();
    await page.getByTestId("new-chat").click();
    assert.equal(await page.getByTestId("skill-write").getAttribute("aria-pressed"), "false");

    // Greyed, not disabled: a tap must reach it (Playwright takes aria-disabled for disabled, so force the click,
    // which does not wait for the page to settle: the new chat's requests end first, and the drawer slides away, or
    // the tap lands on it).
    await page.waitForLoadState("networkidle");
    await page.waitForFunction(`document.querySelector(".sidebar").getBoundingClientRect().right <= 0`);
    await page.getByTestId("skill-web").click({ force: true }); // no web search on this server
    const why = page.getByTestId("chip-why");
    assert.match((await why.textContent()) ?? "", /Web search is not set up on this server\. An admin can turn it on\./);
    assert.equal(await page.getByTestId("skill-web").getAttribute("aria-pressed"), "false");
    await page.getByTestId("input").fill("A long question that wraps over several lines on a narrow phone screen, to see it grow");
    await page.screenshot({ path: `${shots}/composer-phone.png` });
    await page.close();
  });

  it("edits and deletes the user's own agent from the agent picker, asking before deleting", async () => {
    const made = await fetch(`${server.url}/v1/agents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Tour guide", instructions: "Answer as a guide.", starters: ["Where to go?"] }),
    });
    assert.equal(made.status, 201);
    const { id } = (await made.json()) as { id: string };
    const { page } = await open();
    const picker = page.getByTestId("agent");
    await picker.locator(`option[value="${id}"]`).waitFor({ state: "attached" });
    assert.equal(await picker.locator('option[value="+edit"]').count(), 0, "a built-in agent cannot be edited");
    await picker.selectOption(id);
    await picker.selectOption("+edit");
    assert.equal(await page.getByTestId("agent-name").inputValue(), "Tour guide");
    await page.getByTestId("agent-name").fill("Island guide");
    await page.screenshot({ path: `${shots}/agent-edit.png` });
    await page.getByTestId("agent-save").click();
    await page.getByTestId("agent-editor").waitFor({ state: "detached" });
    assert.equal(await picker.locator(`option[value="${id}"]`).textContent(), "Island guide");
    await page.reload();
    await picker.locator(`option[value="${id}"]`).getByText("Island guide").waitFor({ state: "attached" });

    await picker.selectOption(id);
    await picker.selectOption("+edit");
    await page.getByTestId("agent-delete").click();
    await page.getByTestId("agent-delete-dialog").waitFor();
    await page.getByTestId("dialog-confirm").click();
    await page.getByTestId("agent-editor").waitFor({ state: "detached" });
    assert.equal(await picker.locator(`option[value="${id}"]`).count(), 0);
    await page.reload();
    await picker.locator('option[value="benih"]').waitFor({ state: "attached" });
    assert.equal(await picker.locator(`option[value="${id}"]`).count(), 0, "gone after a reload");
    await page.close();
  });
});
