import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readParkedMessage } from '@ecslog/ingest-pipeline';
import type { ParkedItem, ParkedSource } from './parked-source';

/** Lines replayed at once. */
const LINES_PER_PAGE = 500;

/**
 * The local quarantine, `$ECSLOG_HOME/quarantine.ndjson`: one entry per line. `finish` rewrites it
 * without the released lines (through a temporary file and a rename, so a crash leaves the old
 * file or the new one, never half of one), keeping lines appended while redrive ran.
 */
export function createQuarantineFileSource(path: string): ParkedSource {
  let original: Buffer | undefined;
  const released = new Set<number>();
  return {
    description: `quarantine file ${path}`,
    async *pages() {
      try {
        original = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing quarantined
        throw error;
      }
      const lines = original.toString('utf8').split('\n');
      const name = basename(path);
      let items: ParkedItem[] = [];
      for (const [index, line] of lines.entries()) {
        if (line.trim() === '') continue;
        const label = `${name}:${index + 1}`;
        items.push({
          label,
          reading: readParkedMessage(line, label),
          release: async () => void released.add(index),
        });
        if (items.length === LINES_PER_PAGE) {
          yield items;
          items = [];
        }
      }
      if (items.length > 0) yield items;
    },
    async finish() {
      if (!original || released.size === 0) return;
      const kept = original
        .toString('utf8')
        .split('\n')
        .filter((line, index) => line.trim() !== '' && !released.has(index));
      // Lines another ecslog appended since the file was read are kept as they are.
      const now = await readFile(path);
      if (!now.subarray(0, original.length).equals(original))
        throw new Error(
          `${path} changed while redrive ran (not only appended to): left as it is; its replayed lines are stored, so the next redrive drops them`,
        );
      const appended = now.subarray(original.length).toString('utf8');
      const text = kept.map((line) => `${line}\n`).join('') + appended;
      if (text === '') {
        await rm(path, { force: true });
        return;
      }
      const temporary = `${path}.redrive-${process.pid}`;
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, path);
    },
  };
}
