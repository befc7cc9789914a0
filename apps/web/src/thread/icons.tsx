// The thread's icons as inline SVG (see ../icons.tsx for why): copy, thumbs up, thumbs down, arrow down.
const props = {
  width: 15,
  height: 15,
  viewBox: "0 0 16 16",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 1.5,
  strokeLinecap: "round" as const,
  strokeLinejoin: "round" as const,
};

export const CopyIcon = () => (
  <svg {...props} aria-hidden="true">
    <rect x="5" y="5" width="9" height="9" rx="1.5" />
    <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
  </svg>
);

const THUMB = "M5 7v7H2.5V7H5Zm0 0 3-5c1.2 0 1.8.8 1.6 2L9.2 6.5h3.6a1.3 1.3 0 0 1 1.3 1.5l-.9 4.8a1.5 1.5 0 0 1-1.5 1.2H5";

export const ThumbUpIcon = ({ on }: { on: boolean }) => (
  <svg {...props} aria-hidden="true" fill={on ? "currentColor" : "none"}>
    <path d={THUMB} />
  </svg>
);

export const ThumbDownIcon = ({ on }: { on: boolean }) => (
  <svg {...props} aria-hidden="true" fill={on ? "currentColor" : "none"} style={{ transform: "rotate(180deg)" }}>
    <path d={THUMB} />
  </svg>
);

export const ArrowDownIcon = () => (
  <svg {...props} aria-hidden="true">
    <path d="M8 2.5v11M3.5 9 8 13.5 12.5 9" />
  </svg>
);

export const SpeakerIcon = ({ on }: { on: boolean }) => (
  <svg {...props} aria-hidden="true">
    <path d="M2.5 6h2.5l3.5-3v10L5 10H2.5Z" />
    {on ? <path d="M11 5.5v5M13.5 5.5v5" /> : <path d="M11 5.5a3.5 3.5 0 0 1 0 5M12.8 3.8a6 6 0 0 1 0 8.4" />}
  </svg>
);
