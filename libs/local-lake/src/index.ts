/**
 * @ecslog/local-lake — the lake in a local folder, for local mode: the same layout
 * (`lake/dt=YYYY-MM-DD/`, `lake/errors/processing-failed/dt=…/`), row format (the mapper's
 * `toLakeRow`, one NDJSON line each) and buffering as the Firehose stream writes to S3, from a
 * transform response or from AuditRecords.
 *
 * @example
 * import { createLocalLakeWriter } from '@ecslog/local-lake';
 * const lake = createLocalLakeWriter({ root: process.env.ECSLOG_HOME });
 * await lake.writeAuditRecords(records); // or lake.writeTransformed(response.records)
 * await lake.close();
 */
export {
  createLocalLakeWriter,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFER_BYTES,
} from './local-lake-writer';
export type { LocalLakeWriter, LocalLakeWriterOptions } from './local-lake-writer';
