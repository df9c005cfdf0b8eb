// Build: web/dist, served by parleyd at `/` (hashed files under /assets/ are cached for a year).
// `PARLEY_SERVER=https://127.0.0.1:8443 npm run dev` serves the page from Vite and forwards the
// REST routes and the WebSocket to that parleyd (its self-signed certificate is accepted).
import { defineConfig } from 'vite';

const server = process.env.PARLEY_SERVER;

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: server
    ? {
        proxy: {
          '/api': { target: server, secure: false, changeOrigin: true },
          '/healthz': { target: server, secure: false, changeOrigin: true },
          '/ws': { target: server.replace(/^http/, 'ws'), ws: true, secure: false, changeOrigin: true },
        },
      }
    : {},
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
} as Record<string, unknown>);
