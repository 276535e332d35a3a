import type { ParkedReading } from '@ecslog/ingest-pipeline';

/** One parked message or object, read and recognised, and what to do with it once replayed. */
export interface ParkedItem {
  /** Names it in reports and positions: `<queue> message <id>`, `s3://bucket/key`, `quarantine.ndjson:3`. */
  label: string;
  reading: ParkedReading;
  /** Deletes it from where it is parked: called only once everything from it is stored. */
  release(): Promise<void>;
}

/**
 * Where the pipeline parks what it could not store: a queue, a bucket, the quarantine file.
 * `pages()` reads it a page at a time; `finish()` puts back what was kept (SQS: visible again;
 * the file: rewritten without the released lines). A dry run never calls `release`.
 */
export interface ParkedSource {
  /** `queue URL`, `bucket s3://NAME/prefix`, `quarantine file PATH`. */
  description: string;
  pages(): AsyncIterable<ParkedItem[]>;
  finish(): Promise<void>;
}
