// Vite builds the UI into the folder that crates/server/build.rs names (`--outDir`).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
  },
});
