import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/**
 * The client as `smiley report` ships it: one classic script (file:// refuses module
 * scripts), relative paths, and without the Graphviz engine — a report's call graph is drawn
 * when it is written.
 */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [svelte({ configFile: here('../svelte.config.js') })],
  resolve: {
    alias: {
      'd3-graphviz': here('src/lib/no-graphviz.ts'),
      '@hpcc-js/wasm/graphviz': here('src/lib/no-graphviz.ts'),
    },
  },
  build: {
    outDir: here('../dist/report-client'),
    emptyOutDir: true,
    modulePreload: false,
    rollupOptions: {
      output: { format: 'iife', inlineDynamicImports: true },
      // import.meta becomes {} in a classic script, which is what the client expects there.
      onwarn(warning, warn) {
        if (warning.code !== 'EMPTY_IMPORT_META') warn(warning)
      },
    },
  },
})
