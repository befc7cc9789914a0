import { useEffect, useState } from "react";
import { getVideo } from "./api/server.ts";
import type { VideoJobView } from "@benih/contracts";
import { t, type Locale } from "./i18n.ts";
import { useMedia } from "./media.tsx";

/** A video job in an answer: its progress while it runs (it may take minutes, and survives a restart), then the video. */
export function VideoCard({ job: first, locale }: { job: VideoJobView; locale: Locale }) {
  const [job, setJob] = useState(first);
  const src = useMedia(job.status === "succeeded" ? job.content_url : null);
  useEffect(() => {
    if (job.status === "succeeded" || job.status === "failed") return;
    const timer = setTimeout(() => void getVideo(job.id).then(setJob, () => undefined), 1500);
    return () => clearTimeout(timer);
  }, [job]);
  return (
    <figure className="video" data-testid="video" data-status={job.status}>
      {job.status === "succeeded" && job.content_url ? (
        // biome-ignore lint/a11y/useMediaCaption: a generated video has no caption track; its prompt is the text beside it
        src && <video src={src} controls playsInline preload="metadata" />
      ) : job.status === "failed" ? (
        <p className="error">
          {t(locale, "videoFailed")}: {job.error}
        </p>
      ) : (
        <div className="working">
          <span>{t(locale, "videoWorking")}</span>
          <progress max={100} value={job.progress} />
        </div>
      )}
      <figcaption className="meta">{job.kind === "slideshow" ? t(locale, "videoSlideshow") : job.model}</figcaption>
    </figure>
  );
}
