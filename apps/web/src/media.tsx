import { useEffect, useState } from "react";
import { mediaUrl } from "./api/http.ts";

/** The URL to show media at: the path itself, or (with an API key) a blob URL of the bytes fetched with the key. */
export function useMedia(path: string | null): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!path) return;
    let live = true;
    let made: string | undefined;
    void mediaUrl(path).then(
      (u) => {
        if (u !== path) made = u;
        if (live) setUrl(u);
        else if (made) URL.revokeObjectURL(made);
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [path]);
  return url;
}
