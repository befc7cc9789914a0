// Icons as inline SVG: emoji fonts are not on every machine (a headless Linux browser draws boxes).
const props = {
  width: 16,
  height: 16,
  viewBox: "0 0 16 16",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 1.5,
  strokeLinecap: "round" as const,
};

export const PaperclipIcon = () => (
  <svg {...props} aria-hidden="true">
    <path d="M13.5 7.5 8 13a3.5 3.5 0 0 1-5-5l6-6a2.3 2.3 0 0 1 3.3 3.3L6.4 11.2a1.2 1.2 0 0 1-1.7-1.7L10 4.2" />
  </svg>
);

export const MicIcon = () => (
  <svg {...props} aria-hidden="true">
    <rect x="5.5" y="1.5" width="5" height="8" rx="2.5" />
    <path d="M3 7.5a5 5 0 0 0 10 0M8 12.5v2" />
  </svg>
);

/** Sound waves: a voice call. */
export const CallIcon = () => (
  <svg {...props} aria-hidden="true">
    <path d="M2 6.5v3M5 4v8M8 2v12M11 4.5v7M14 6.5v3" />
  </svg>
);

export const SearchIcon = () => (
  <svg {...props} aria-hidden="true">
    <circle cx="7" cy="7" r="4.5" />
    <path d="m10.5 10.5 3.5 3.5" />
  </svg>
);

export const GlobeIcon = () => (
  <svg {...props} aria-hidden="true">
    <circle cx="8" cy="8" r="6" />
    <path d="M2 8h12M8 2c2 2 2 10 0 12M8 2c-2 2-2 10 0 12" />
  </svg>
);

export const PlusIcon = () => (
  <svg {...props} aria-hidden="true">
    <path d="M8 3v10M3 8h10" />
  </svg>
);

export const GearIcon = () => (
  <svg {...props} aria-hidden="true">
    <circle cx="8" cy="8" r="2.2" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </svg>
);
