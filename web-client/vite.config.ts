import { defineConfig } from 'vitest/config';

// Hashed asset names (Vite's default) and no inline scripts or styles, so the server's
// strict CSP (default-src 'self') holds.
export default defineConfig({
  build: {
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  // Unit tests of the logic that needs no browser (ordering, queueing, retries); the views are
  // tested in real Chromium by the server's browser tests.
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/testing/setup.ts'],
  },
});
