import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The console is built into the folder the server serves (dist/public).
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../dist/public'),
    emptyOutDir: true,
    // The server's CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/admin': 'http://127.0.0.1:8080', '/engagement': 'http://127.0.0.1:8080' } },
});
