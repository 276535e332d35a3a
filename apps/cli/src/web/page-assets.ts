/**
 * The page the web server serves: `page/index.html`, `page/app.css`, and `page/main.ts` bundled
 * for the browser with esbuild (ECharts included) the first time it is asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  css: string;
  /** The bundled page script; built once, on first use. */
  script(): Promise<string>;
}

const PAGE_DIR = join(__dirname, 'page');

export function loadPageAssets(): PageAssets {
  let bundled: Promise<string> | undefined;
  return {
    html: readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'),
    css: readFileSync(join(PAGE_DIR, 'app.css'), 'utf8'),
    script: () => (bundled ??= bundlePage()),
  };
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(PAGE_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('bundling the web page produced no output');
  return output.text;
}
