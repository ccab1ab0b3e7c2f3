import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `npm run dev` forwards API traffic; the gateway serves the built app on its own origin. */
const gateway = process.env.TRIAGE_GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true, changeOrigin: true },
      '/uploads': { target: gateway, changeOrigin: true },
      '/hospitals': { target: gateway, changeOrigin: true },
      '/datasets': { target: gateway, changeOrigin: true },
      '/ops': { target: gateway, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/graphql': { target: gateway, ws: true, changeOrigin: true },
      '/uploads': { target: gateway, changeOrigin: true },
      '/hospitals': { target: gateway, changeOrigin: true },
      '/datasets': { target: gateway, changeOrigin: true },
      '/ops': { target: gateway, changeOrigin: true },
    },
  },
});
