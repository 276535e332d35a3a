/**
 * The page the web server serves, as `nx run cli:build` leaves it in `apps/cli/dist-web/` (see
 * build-page.cjs): `index.html`, `app.css`, and its two scripts bundled for the browser: `app.js`
 * (ECharts included) and `first-request.js` (which sends the first timeline request while
 * `/app.js` loads). Only the web view reads them, so no other command pays for them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface PageAssets {
  html: string;
  css: string;
  /** A bundled page script, read once, on first use. */
  script(name: PageScript): Promise<string>;
}

/** The page's scripts, by the name the page loads them by (`/<name>.js`). */
export type PageScript = 'app' | 'first-request';

const SCRIPTS: readonly PageScript[] = ['app', 'first-request'];

/** `apps/cli/dist-web`: two folders up from this module in both `src/web` and `dist/web`. */
const PAGE_DIR = join(__dirname, '..', '..', 'dist-web');

/** Reads the built page; throws a PageNotBuiltError naming the missing file. */
export function loadPageAssets(pageDir: string = PAGE_DIR): PageAssets {
  const files = ['index.html', 'app.css', ...SCRIPTS.map((name) => `${name}.js`)];
  const missing = files.find((file) => !existsSync(join(pageDir, file)));
  if (missing !== undefined) throw new PageNotBuiltError(join(pageDir, missing));
  const scripts = new Map<PageScript, Promise<string>>();
  return {
    html: readFileSync(join(pageDir, 'index.html'), 'utf8'),
    css: readFileSync(join(pageDir, 'app.css'), 'utf8'),
    script: (name) => {
      let text = scripts.get(name);
      if (text === undefined) {
        text = readFile(join(pageDir, `${name}.js`), 'utf8');
        scripts.set(name, text);
      }
      return text;
    },
  };
}

/** The web view's page has not been built (a checkout where `nx run cli:build` has not run). */
export class PageNotBuiltError extends Error {
  override readonly name = 'PageNotBuiltError';
  constructor(readonly missingFile: string) {
    super(
      `the web view's page is not built (${relative(process.cwd(), missingFile) || missingFile} is missing): run \`npx nx run cli:build\``,
    );
  }
}
