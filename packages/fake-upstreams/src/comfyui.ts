import { seedColour, solidPng } from "./png.ts";
import { json, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback ComfyUI: `POST /prompt` takes an API-format workflow (checked as ComfyUI checks it: every node has a
 * known class_type and its links point at existing nodes; else 400 with node_errors), queues it, and after two
 * polls of `GET /history/{prompt_id}` lists the SaveImage node's outputs, served by `GET /view`. The image's
 * colour comes from the KSampler's seed.
 */
export async function startFakeComfyUI(): Promise<FakeServer> {
  const known = new Set(["CheckpointLoaderSimple", "CLIPTextEncode", "EmptyLatentImage", "KSampler", "VAEDecode", "SaveImage"]);
  const jobs = new Map<string, { polls: number; files: Array<{ filename: string; seed: number; width: number; height: number }> }>();
  let next = 1;
  return startFake(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://comfy");
    if (req.method === "POST" && url.pathname === "/prompt") {
      const graph = body?.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }> | undefined;
      if (!graph || typeof graph !== "object")
        return json(res, 400, { error: { type: "invalid_prompt", message: "Invalid prompt", details: "no prompt" }, node_errors: {} });
      const errors: Record<string, unknown> = {};
      for (const [id, node] of Object.entries(graph)) {
        if (!known.has(node.class_type)) errors[id] = { errors: [{ type: "invalid_node", message: `unknown node ${node.class_type}` }] };
        for (const v of Object.values(node.inputs ?? {}))
          if (Array.isArray(v) && typeof v[0] === "string" && !graph[v[0]])
            errors[id] = { errors: [{ type: "bad_link", message: `links to missing node ${v[0]}` }] };
      }
      if (Object.keys(errors).length)
        return json(res, 400, {
          error: { type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation" },
          node_errors: errors,
        });
      const sampler = Object.values(graph).find((n) => n.class_type === "KSampler")!;
      const latent = Object.values(graph).find((n) => n.class_type === "EmptyLatentImage")!;
      const batch = Number(latent.inputs.batch_size ?? 1);
      const id = `p-${next++}`;
      const seed = Number(sampler.inputs.seed ?? 0);
      jobs.set(id, {
        polls: 0,
        files: Array.from({ length: batch }, (_, i) => ({
          filename: `benih_${id}_${i}.png`,
          seed: seed + i,
          width: Number(latent.inputs.width),
          height: Number(latent.inputs.height),
        })),
      });
      return json(res, 200, { prompt_id: id, number: next, node_errors: {} });
    }
    const h = /^\/history\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && h) {
      const job = jobs.get(h[1]!);
      if (!job || ++job.polls < 3) return json(res, 200, {});
      return json(res, 200, {
        [h[1]!]: {
          outputs: { "9": { images: job.files.map((f) => ({ filename: f.filename, subfolder: "", type: "output" })) } },
          status: { status_str: "success", completed: true },
        },
      });
    }
    if (req.method === "GET" && url.pathname === "/view") {
      const file = [...jobs.values()].flatMap((j) => j.files).find((f) => f.filename === url.searchParams.get("filename"));
      if (!file || url.searchParams.get("type") !== "output") return void res.writeHead(404).end();
      return void res
        .writeHead(200, { "content-type": "image/png" })
        .end(solidPng(Math.min(file.width, 64), Math.min(file.height, 64), seedColour(file.seed)));
    }
    return json(res, 404, { error: "not found" });
  });
}
