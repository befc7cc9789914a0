import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Unit tests of the components and the API client, in a simulated browser; the Chromium tests are apps/server's.
export default defineConfig({
  plugins: [react()],
  // One jsdom per worker, shared by its files (each cleans up after itself): a new one per file was three quarters of
  // the run. vmThreads would keep files apart but gives each its own realm, and web streams then fail across them.
  test: { environment: "jsdom", isolate: false, include: ["test/**/*.test.{ts,tsx}"] },
});
