import { videoOptions } from "@benih/contracts";
import { jobView, registerVideoRoutes, startVideoJob } from "../../video/routes.ts";
import type { Skill } from "../skill.ts";

/** Starts a video job from the message; the answer holds the job, which the page follows until its video is ready. */
export const videoSkill: Skill = {
  id: "video",
  options: videoOptions,
  async answer({ request, services, question }) {
    const job = await startVideoJob(request, services.videos, question.content);
    return { kind: "media", content: "", model: job.model, meta: { skill: "video", video: jobView(job) } };
  },
  routes: (app, services) => registerVideoRoutes(app, services.videos),
};
