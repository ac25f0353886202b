import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { serviceWorker } from './pwa.plugin.ts';

// `npm run dev -w @onegrid/web` serves the app on :5173 and forwards the API to a running
// `npm start` (or `onegrid serve`) on :8080; `npm run build` writes dist/, which the server serves at /.
export default defineConfig({
  plugins: [react(), serviceWorker()],
  server: {
    proxy: {
      '/api': { target: process.env.ONEGRID_API_URL ?? 'http://localhost:8080', changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; it is loaded lazily with the map page.
    chunkSizeWarningLimit: 1400,
  },
});
