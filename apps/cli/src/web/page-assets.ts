/**
 * The page the web server serves: `page/index.html`, `page/app.css`, and its two scripts bundled
 * for the browser with esbuild the first time one is asked for: `page/main.ts` (`/app.js`, ECharts
 * included) and `page/first-request.ts` (`/first-request.js`, which sends the first timeline
 * request while `/app.js` loads).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  css: string;
  /** A bundled page script; both are built once, on first use. */
  script(name: PageScript): Promise<string>;
}

/** The page's scripts, by the name the page loads them by (`/<name>.js`). */
export type PageScript = 'app' | 'first-request';

const ENTRY_POINTS: Record<PageScript, string> = {
  app: 'main.ts',
  'first-request': 'first-request.ts',
};

const PAGE_DIR = join(__dirname, 'page');

export function loadPageAssets(): PageAssets {
  let bundled: Promise<Record<PageScript, string>> | undefined;
  return {
    html: readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'),
    css: readFileSync(join(PAGE_DIR, 'app.css'), 'utf8'),
    script: async (name) => (await (bundled ??= bundlePage()))[name],
  };
}

async function bundlePage(): Promise<Record<PageScript, string>> {
  const names = Object.keys(ENTRY_POINTS) as PageScript[];
  const result = await build({
    entryPoints: Object.fromEntries(
      names.map((name) => [name, join(PAGE_DIR, ENTRY_POINTS[name])]),
    ),
    outdir: PAGE_DIR,
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const byName = new Map(result.outputFiles.map((file) => [basename(file.path, '.js'), file.text]));
  return Object.fromEntries(
    names.map((name) => {
      const text = byName.get(name);
      if (text === undefined) throw new Error(`bundling the web page produced no ${name}.js`);
      return [name, text];
    }),
  ) as Record<PageScript, string>;
}
