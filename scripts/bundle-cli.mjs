// Build step after tsc: bundles the compiled CLI (dist/scheduler/cli/main.js and everything it
// imports, dependencies included) into dist/cli/, which bin/shisa.js runs. Node resolves and
// reads ~430 module files for one `shisa plan` otherwise (zod, drizzle-orm and yaml alone are
// ~270), about 0.2 s of a 1.5 s run; from a bundle it reads a few. Each command's module stays
// a chunk of its own, imported when the command runs (ADR 13).
//
// Left outside the bundle: packages that find files next to their own modules (PGlite's
// WebAssembly and file-system image, Z3's WebAssembly and workers), koffi's native addon, and
// the PostgreSQL client, loaded only with DATABASE_URL.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// @kubernetes/client-node's config module imports its generated index, which re-exports its
// ~700 API model classes; shisa uses the KubeConfig alone (raw-get.ts lists with plain JSON).
// The package does not declare itself free of side effects, though its modules are (classes
// and re-exports only), so the bundler is told so and leaves the unused models out.
const clientNodeWithoutSideEffects = {
  name: 'client-node-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving' || !args.importer.includes('/node_modules/@kubernetes/client-node/'))
        return undefined;
      const { importer, resolveDir, kind } = args;
      const r = await b.resolve(args.path, { importer, resolveDir, kind, pluginData: 'resolving' });
      return r.errors.length > 0 ? undefined : { ...r, sideEffects: false };
    });
  },
};

const outdir = new URL('../dist/cli/', import.meta.url).pathname;
const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../dist/scheduler/cli/main.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@electric-sql/pglite', 'z3-solver', 'koffi', 'pg', 'pg-native'],
  // CommonJS dependencies (commander, yaml) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as shisaCreateRequire } from 'node:module';\nconst require = shisaCreateRequire(import.meta.url);",
  },
  plugins: [clientNodeWithoutSideEffects],
  legalComments: 'linked',
  logLevel: 'warning',
});
process.stdout.write(`bundled the CLI into ${outdir} (${Date.now() - started} ms)\n`);
