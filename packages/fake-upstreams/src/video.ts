import { json, startFake, type FakeServer } from "./server.ts";

/** What the fakes hand back as a finished video: the start of an MP4 (an ftyp box), then the task's id. */
export const fakeMp4 = (task: string) =>
  Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypisom\x00\x00\x02\x00isomiso2", "latin1"), Buffer.from(task)]);

/**
 * A loopback server speaking two asynchronous video APIs as documented, each task taking `pollsToFinish` status
 * polls to finish (so a test sees it queued, running, and done): OpenAI's Videos API (`POST /v1/videos`,
 * `GET /v1/videos/{id}` with status and progress, `GET /v1/videos/{id}/content`) and Volcano Ark's content
 * generation tasks (`POST /api/v3/contents/generations/tasks`, `GET …/tasks/{id}` with content.video_url when it
 * succeeds, on this server unless `videoUrl` says where). A prompt containing "fail" makes the task fail; a missing
 * bearer token gets 401.
 */
export async function startFakeVideo(o: { pollsToFinish?: number; videoUrl?: (task: string) => string } = {}): Promise<FakeServer> {
  const finishAfter = o.pollsToFinish ?? 3;
  const tasks = new Map<string, { prompt: string; polls: number }>();
  let next = 1;
  const server = await startFake(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://video");
    if (url.pathname.startsWith("/files/")) {
      const id = url.pathname.slice("/files/".length).replace(/\.mp4$/, "");
      if (!tasks.has(id)) return json(res, 404, { error: { message: "not found" } });
      return void res.writeHead(200, { "content-type": "video/mp4" }).end(fakeMp4(id));
    }
    if (!req.headers.authorization?.startsWith("Bearer ") || req.headers.authorization === "Bearer ")
      return json(res, 401, { error: { code: "AuthenticationError", message: "The API key in the request is missing or invalid." } });
    const progressOf = (t: { polls: number }) => Math.min(100, Math.round((t.polls / finishAfter) * 100));
    // OpenAI
    if (url.pathname === "/v1/videos" && req.method === "POST") {
      const id = `video_${next++}`;
      tasks.set(id, { prompt: String(body?.prompt ?? ""), polls: 0 });
      return json(res, 200, { id, object: "video", model: body?.model, status: "queued", progress: 0, created_at: 1700000000 });
    }
    let m = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(url.pathname);
    if (m && req.method === "GET") {
      const t = tasks.get(m[1]!);
      if (!t) return json(res, 404, { error: { message: `Video ${m[1]} not found`, type: "invalid_request_error" } });
      if (m[2])
        return t.polls >= finishAfter
          ? void res.writeHead(200, { "content-type": "video/mp4" }).end(fakeMp4(m[1]!))
          : json(res, 409, { error: { message: "Video is not ready" } });
      t.polls++;
      if (t.prompt.includes("fail"))
        return json(res, 200, {
          id: m[1],
          object: "video",
          status: "failed",
          progress: 0,
          error: { code: "moderation_blocked", message: "The video could not be generated." },
        });
      const done = t.polls >= finishAfter;
      return json(res, 200, {
        id: m[1],
        object: "video",
        status: done ? "completed" : t.polls === 1 ? "queued" : "in_progress",
        progress: progressOf(t),
      });
    }
    // Volcano Ark
    if (url.pathname === "/api/v3/contents/generations/tasks" && req.method === "POST") {
      const text = (body?.content as Array<{ type: string; text?: string }> | undefined)?.find((c) => c.type === "text")?.text;
      if (!text) return json(res, 400, { error: { code: "InvalidParameter", message: "content must include a text item" } });
      const id = `cgt-${next++}`;
      tasks.set(id, { prompt: text, polls: 0 });
      return json(res, 200, { id });
    }
    m = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === "GET") {
      const t = tasks.get(m[1]!);
      if (!t) return json(res, 404, { error: { code: "ResourceNotFound", message: `task ${m[1]} not found` } });
      t.polls++;
      if (t.prompt.includes("fail"))
        return json(res, 200, {
          id: m[1],
          status: "failed",
          error: { code: "OutputVideoSensitiveContentDetected", message: "The output video may contain sensitive information." },
        });
      const done = t.polls >= finishAfter;
      const address = `${res.socket?.localAddress ?? "127.0.0.1"}:${res.socket?.localPort ?? 0}`;
      return json(res, 200, {
        id: m[1],
        model: "seedance",
        status: done ? "succeeded" : t.polls === 1 ? "queued" : "running",
        ...(done && { content: { video_url: o.videoUrl?.(m[1]!) ?? `http://${address}/files/${m[1]}.mp4` } }),
      });
    }
    return json(res, 404, { error: { message: "not found" } });
  });
  return server;
}
