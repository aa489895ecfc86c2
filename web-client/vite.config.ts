import { defineConfig } from 'vite';

// Hashed asset names (Vite's default) and no inline scripts or styles, so the server's
// strict CSP (default-src 'self') holds.
export default defineConfig({
  build: {
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
