import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every file under dir, as paths relative to it, sorted; with their text. Empty when dir is missing. */
export async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries)
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), await readFile(path, 'utf8'));
    }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}
