import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built to static files that the benih server serves at `/`; `npm ci` builds it (the root's prepare script).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
