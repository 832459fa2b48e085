import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The secretariat console: served under /console/ by the embedded runtime and by CloudFront on AWS. */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [preact({ prerender: { enabled: false } })],
  resolve: {
    // src/domain/common.ts uses node:url's domainToASCII for e-mail domains; the browser's URL does the same.
    alias: { 'node:url': here('src/shims/node-url.ts') },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
