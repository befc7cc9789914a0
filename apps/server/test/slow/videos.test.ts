import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fakeMp4, startFakeVideo, type FakeServer } from "@benih/fake-upstreams";
import { hasFfmpeg } from "@benih/assistant";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";

// Video generation as asynchronous jobs against loopback servers speaking Volcano Ark's task API and OpenAI's
// Videos API (each task takes a few status polls), a restart in the middle of a job, and the offline slideshow.
const ffmpeg = await hasFfmpeg();
let video: FakeServer;
const data = mkdtempSync(join(tmpdir(), "benih-videos-"));
after(() => rmSync(data, { recursive: true, force: true }));
before(async () => {
  video = await startFakeVideo({ pollsToFinish: 4 });
});
after(() => video.close());

// Ark's video URL points at the fake itself, on loopback: allowed as an operator allows an intranet host.
const yaml = () => `
assistant:
  videoPollSeconds: 0.2
  fetchAllow: ["${new URL(video.url).host}"]
  videos:
    - { name: ark, type: volcano-ark, baseURL: "${video.url}/api/v3", apiKey: ark-key, model: seedance-1-0-pro }
    - { name: openai, type: openai, baseURL: "${video.url}/v1", apiKey: sk-video, model: sora-2 }
`;
const api = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    bytes: buf,
    json: res.headers.get("content-type")?.includes("json") ? JSON.parse(buf.toString()) : undefined,
  };
};
const finished = (url: string, id: string) =>
  until(`video ${id}`, async () => {
    const j = (await api(url, "GET", `/v1/videos/${id}`)).json;
    return j.status === "succeeded" || j.status === "failed" ? j : undefined;
  });

describe("video generation", () => {
  it("runs Ark and OpenAI tasks as jobs with progress, keeps the video, and reports failures", async () => {
    const server = await startServer({ yaml: yaml(), env: { BENIH_DATA_DIR: data } });
    try {
      const started = await api(server.url, "POST", "/v1/videos", { prompt: "a seed grows into a tree", model: "ark/seedance-1-0-pro" });
      assert.equal(started.status, 202);
      assert.deepEqual(
        [started.json.status, started.json.progress, started.json.kind, started.json.content_url],
        ["queued", 0, "generated", null],
      );
      const progress = new Set<number>();
      await until("progress", async () => {
        const j = (await api(server.url, "GET", `/v1/videos/${started.json.id}`)).json;
        progress.add(j.progress);
        return j.status === "succeeded" ? true : undefined;
      });
      assert.ok(progress.size >= 2, `reported progress on the way (${[...progress].join(", ")})`);
      const content = await api(server.url, "GET", `/v1/videos/${started.json.id}/content`);
      assert.equal(content.status, 200);
      assert.equal(content.bytes.subarray(4, 8).toString(), "ftyp");
      assert.deepEqual(content.bytes, fakeMp4("cgt-1"));

      const sora = await api(server.url, "POST", "/v1/videos", { prompt: "rain on rice terraces", model: "openai/sora-2" });
      const done = await finished(server.url, sora.json.id);
      assert.equal(done.status, "succeeded");
      assert.equal(done.progress, 100);
      const failing = await api(server.url, "POST", "/v1/videos", { prompt: "this one will fail", model: "openai/sora-2" });
      const failed = await finished(server.url, failing.json.id);
      assert.deepEqual([failed.status, failed.error], ["failed", "The video could not be generated."]);
      assert.equal((await api(server.url, "GET", `/v1/videos/${failing.json.id}/content`)).status, 404);
      assert.equal((await api(server.url, "POST", "/v1/videos", { prompt: "x", model: "nope/nope" })).status, 404);
      assert.equal((await api(server.url, "POST", "/v1/videos", {})).status, 400);
    } finally {
      await server.close();
    }
  });

  it("fails a job whose provider points the download inside the network, saying why", async () => {
    // Another Ark-speaking provider, not on the allow list, whose video URL leads to cloud metadata or to loopback.
    const metadata = await startFakeVideo({ pollsToFinish: 1, videoUrl: (task) => `http://169.254.169.254/latest/meta-data/${task}.mp4` });
    const itself = await startFakeVideo({ pollsToFinish: 1 });
    const server = await startServer({
      yaml: `${yaml()}    - { name: meta, type: volcano-ark, baseURL: "${metadata.url}/api/v3", apiKey: k, model: m }\n    - { name: self, type: volcano-ark, baseURL: "${itself.url}/api/v3", apiKey: k, model: m }\n`,
      env: { BENIH_DATA_DIR: data },
    });
    try {
      for (const [model, why] of [
        [
          "meta/m",
          /^the video could not be downloaded: refused to fetch http:\/\/169\.254\.169\.254\/latest\/meta-data\/cgt-1\.mp4: 169\.254\.169\.254 is a cloud metadata address$/,
        ],
        [
          "self/m",
          /^the video could not be downloaded: refused to fetch http:\/\/127\.0\.0\.1:\d+\/files\/cgt-1\.mp4: 127\.0\.0\.1 is a loopback address$/,
        ],
      ] as const) {
        const started = await api(server.url, "POST", "/v1/videos", { prompt: "a view of the metadata service", model });
        const done = await finished(server.url, started.json.id);
        assert.equal(done.status, "failed", model);
        assert.match(done.error, why);
        assert.equal((await api(server.url, "GET", `/v1/videos/${started.json.id}/content`)).status, 404);
      }
    } finally {
      await server.close();
      await metadata.close();
      await itself.close();
    }
  });

  it("survives a restart: a job started before it finishes after", async () => {
    const first = await startServer({ yaml: yaml(), env: { BENIH_DATA_DIR: data } });
    const started = await api(first.url, "POST", "/v1/videos", { prompt: "a long take of the sea", model: "ark/seedance-1-0-pro" });
    await until("submitted", async () =>
      (await api(first.url, "GET", `/v1/videos/${started.json.id}`)).json.status === "running" ? true : undefined,
    );
    await first.close();
    const second = await startServer({ yaml: yaml(), env: { BENIH_DATA_DIR: data } });
    try {
      const done = await finished(second.url, started.json.id);
      assert.equal(done.status, "succeeded");
      assert.equal((await api(second.url, "GET", `/v1/videos/${started.json.id}/content`)).bytes.subarray(4, 8).toString(), "ftyp");
    } finally {
      await second.close();
    }
  });

  it("without a video model, makes a captioned slideshow with ffmpeg and says it is one", {
    skip: !ffmpeg && !process.env.BENIH_REQUIRE_FFMPEG && "ffmpeg is not installed (apt-get install ffmpeg)",
  }, async () => {
    const server = await startServer({});
    try {
      const settings = (await api(server.url, "GET", "/v1/settings")).json;
      assert.match(settings.skills.video.note, /slideshow made with ffmpeg/);
      const started = await api(server.url, "POST", "/v1/videos", { prompt: "Seeds sleep in the soil. Rain falls. 一棵树长大了。" });
      assert.equal(started.json.kind, "slideshow");
      const done = await finished(server.url, started.json.id);
      assert.equal(done.status, "succeeded", done.error);
      const mp4 = (await api(server.url, "GET", `/v1/videos/${started.json.id}/content`)).bytes;
      const file = join(data, "slideshow.mp4");
      writeFileSync(file, mp4);
      const probe = JSON.parse(
        execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration:stream=codec_name,width,height", "-of", "json", file], {
          encoding: "utf8",
        }),
      );
      assert.deepEqual([probe.streams[0].codec_name, probe.streams[0].width, probe.streams[0].height], ["h264", 640, 360]);
      assert.ok(Math.abs(Number(probe.format.duration) - 7.5) < 0.2, `three cards of 2.5 s (${probe.format.duration} s)`);
    } finally {
      await server.close();
    }
  });
});
