/**
 * The checkpoint file: where a backfill is, per source, so that `--resume` continues after a crash
 * or Ctrl-C. Written after each stored chunk, atomically (a temporary file renamed over it), so a
 * crash mid-write leaves the previous checkpoint whole.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackfillTally } from './backfill-tally';

export interface Checkpoint {
  /** The source's description: a checkpoint resumes only the same source and window. */
  source: string;
  /** The time window of the run (ISO), so that `--resume` reads the same one whatever `--since` says now. */
  window?: { from: string; to: string };
  /** The source's resume state after the last stored chunk. */
  resume: unknown;
  /** The counts so far, so that the final summary covers the whole run. */
  tally: BackfillTally;
  /** True once every chunk is stored: `--resume` then has nothing left to do. */
  complete: boolean;
  updatedAt: string;
}

export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as Checkpoint;
}

export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(checkpoint, null, 2) + '\n');
  await rename(temporary, path);
}
