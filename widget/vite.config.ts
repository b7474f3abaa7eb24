import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The widget's budget: what a page pays to embed it, gzipped. */
export const WIDGET_BUDGET_BYTES = 40 * 1024;

// Prints the gzipped size of the bundle and fails the build when it is over budget.
function sizeBudget(): Plugin {
  return {
    name: 'opencallback-size-budget',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const gzipped = zlib.gzipSync(file.code, { level: 9 }).length;
        const kb = (n: number) => (n / 1024).toFixed(1);
        console.log(
          `widget: ${file.fileName} ${kb(file.code.length)} KB, ${kb(gzipped)} KB gzipped ` +
            `(budget ${kb(WIDGET_BUDGET_BYTES)} KB)`,
        );
        if (gzipped > WIDGET_BUDGET_BYTES) this.error(`${file.fileName} is over its size budget`);
      }
    },
  };
}

const METADATA = 'libphonenumber-js/min/metadata';

// libphonenumber's smallest metadata, less each country's display formats: validation and E.164
// stay exact (they use the number patterns and lengths), and the bundle loses ~9 KB gzipped.
// Numbers are shown back as "+49 301234567"; the service applies the full metadata anyway.
function phoneMetadataWithoutFormats(): Plugin {
  const virtual = '\0opencallback-phone-metadata';
  return {
    name: 'opencallback-phone-metadata',
    enforce: 'pre',
    resolveId: (id) => (id === METADATA ? virtual : undefined),
    load(id) {
      if (id !== virtual) return undefined;
      const require = createRequire(import.meta.url);
      const metadata = require('libphonenumber-js/metadata.min.json') as {
        countries: Record<string, unknown[]>;
      };
      for (const entry of Object.values(metadata.countries)) {
        if (Array.isArray(entry[4])) entry[4] = [];
      }
      return `export default ${JSON.stringify(metadata)};`;
    },
  };
}

// One self-contained classic script (an IIFE) that any page loads with a <script> tag; the
// server serves it at /widget/v1/opencallback.js.
export default defineConfig({
  root: here,
  plugins: [phoneMetadataWithoutFormats(), sizeBudget()],
  build: {
    outDir: path.resolve(here, '../dist/widget'),
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    copyPublicDir: false,
    lib: {
      entry: path.resolve(here, 'src/main.tsx'),
      formats: ['iife'],
      name: 'OpenCallbackWidget',
      fileName: () => 'opencallback.js',
    },
  },
});
