import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether ffmpeg can be run here (the offline slideshow needs it). */
export async function hasFfmpeg(bin = "ffmpeg"): Promise<boolean> {
  try {
    await run(bin, ["-version"]);
    return true;
  } catch {
    return false;
  }
}

const palette = ["#1f6feb", "#2f9e44", "#e8590c", "#9c36b5", "#e5484d", "#0c8599"];

/**
 * The offline path when no video model is configured: the prompt's sentences as captioned cards, two and a half
 * seconds each, made into an H.264 MP4 by ffmpeg. It is a slideshow, and is called one wherever it is shown.
 */
export async function slideshow(prompt: string, bin = "ffmpeg"): Promise<Buffer> {
  const cards = prompt
    .split(/(?<=[.!?。！？])\s*/u)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 8);
  if (!cards.length) cards.push(prompt.trim() || "…");
  const dir = mkdtempSync(join(tmpdir(), "benih-slideshow-"));
  try {
    const inputs: string[] = [];
    const filters: string[] = [];
    cards.forEach((text, i) => {
      // Wrapped by hand (drawtext does not wrap), and read from a file, so no caption needs escaping.
      const wrapped =
        text
          .match(/.{1,32}(\s|$)|\S+?(\s|$)|[\s\S]{1,16}/gu)
          ?.map((l) => l.trim())
          .join("\n") ?? text;
      writeFileSync(join(dir, `card${i}.txt`), wrapped);
      inputs.push("-f", "lavfi", "-t", "2.5", "-i", `color=c=${palette[i % palette.length]}:s=640x360:r=24`);
      filters.push(
        `[${i}:v]drawtext=textfile=${join(dir, `card${i}.txt`)}:fontcolor=white:fontsize=28:line_spacing=8:x=(w-text_w)/2:y=(h-text_h)/2[v${i}]`,
      );
    });
    const concat = `${cards.map((_, i) => `[v${i}]`).join("")}concat=n=${cards.length}:v=1:a=0[out]`;
    const out = join(dir, "slideshow.mp4");
    await run(
      bin,
      [
        "-hide_banner",
        "-loglevel",
        "error",
        ...inputs,
        "-filter_complex",
        [...filters, concat].join(";"),
        "-map",
        "[out]",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-y",
        out,
      ],
      { timeout: 120_000 },
    );
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
