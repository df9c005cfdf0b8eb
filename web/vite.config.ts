// Build: web/dist, served by parleyd at `/` (hashed files under /assets/ are cached for a year).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
} as Record<string, unknown>);
