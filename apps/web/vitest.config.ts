import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Unit tests of the components and the API client, in a simulated browser; the Chromium tests are apps/server's.
export default defineConfig({
  plugins: [react()],
  test: { environment: "jsdom", include: ["test/**/*.test.{ts,tsx}"] },
});
