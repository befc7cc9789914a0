import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built to static files that the benih server serves at `/`; `npm ci` builds it (the root's prepare script).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    // @benih/contracts builds zod schemas at the top of its modules. Its modules have no other side effects and zod's
    // builders none at all, so a page that takes only the SSE parser or a run-state helper leaves zod out (−27 kB gzip).
    rollupOptions: {
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/]contracts[\\/]/.test(id), manualPureFunctions: ["z"] },
    },
  },
});
