import { build } from 'esbuild';

/**
 * Bundles browser TypeScript in memory (esbuild), so a page served by a Switchboard process needs no
 * separate build step: `{ name: entry.ts }` in, `{ name: minified script }` out. The targets are the
 * browsers customers and operators use: iPhones from iOS 15 (2021) on included.
 */
export async function bundleBrowserScripts(entries: Record<string, string>, define: Record<string, string> = {}): Promise<Record<string, string>> {
  const result = await build({
    entryPoints: entries,
    bundle: true,
    write: false,
    format: 'iife',
    target: ['es2020', 'chrome90', 'safari15', 'firefox90'],
    minify: true,
    outdir: 'out',
    logLevel: 'silent',
    define,
  });
  const scripts: Record<string, string> = {};
  for (const name of Object.keys(entries)) {
    const file = result.outputFiles.find((f) => f.path.endsWith(`/${name}.js`));
    if (!file) throw new Error(`esbuild produced no ${name}.js`);
    scripts[name] = file.text;
  }
  return scripts;
}
