import type { Problem } from '@ecslog/ecs-event-mapper';
import { describeProblems, stringifyJson } from '@ecslog/ecs-event-mapper';

/** Where an input came from. */
export type IngestSource = 'eventbridge' | 'kinesis';

/**
 * An input ecslog should audit but cannot read, kept whole so that it can be fixed and replayed:
 * nothing invalid is dropped, and nothing invalid is retried forever.
 */
export interface QuarantineEntry {
  source: IngestSource;
  /** ISO-8601: when ingest received it. */
  receivedAt: string;
  /** One line: every problem (`describeProblems`). */
  reason: string;
  problems: readonly Problem[];
  /**
   * The input as received: the parsed JSON value (`payloadEncoding: 'json'`); for Kinesis data
   * that is not JSON the raw text (`'utf8'`), or the original base64 when it is not UTF-8 text
   * (`'base64'`).
   */
  payload: unknown;
  payloadEncoding: 'json' | 'utf8' | 'base64';
  /** Ids that find the input again: the EventBridge event id; the Kinesis stream, shard, key and sequence number. */
  origin: Readonly<Record<string, string | number>>;
}

/**
 * Holds invalid inputs for a person to look at. `hold` resolves once the entry is stored durably
 * and rejects with a {@link QuarantineError} otherwise; the caller then retries the input.
 */
export interface Quarantine {
  hold(entry: QuarantineEntry): Promise<void>;
}

/**
 * An entry as one line of JSON (no newline), as the file and SQS quarantines store it: lean, with
 * the input once (`payload`) and `reason` left out when it is just the `problems` in one line, as
 * it always is from ecslog's handlers. Never overflows the stack, however deep the payload.
 * {@link parseQuarantineEntry} reads it back.
 *
 * @example
 * stringifyQuarantineEntry(entry); // '{"source":"kinesis","receivedAt":"…","problems":[…],"payload":{},…}'
 */
export function stringifyQuarantineEntry(entry: QuarantineEntry): string {
  const { reason, ...rest } = entry;
  return stringifyJson(reason === describeProblems(entry.problems) ? rest : entry);
}

/** The entry in a stored line (whole entry, not a part), with its `reason` put back. */
export function parseQuarantineEntry(text: string): QuarantineEntry {
  const stored = JSON.parse(text) as Omit<QuarantineEntry, 'reason'> & { reason?: string };
  const { source, receivedAt, problems, payload, payloadEncoding, origin } = stored;
  return {
    source,
    receivedAt,
    reason: stored.reason ?? describeProblems(problems),
    problems,
    payload,
    payloadEncoding,
    origin,
  };
}

/** An entry could not be stored; `cause` says why. The input must be retried, not dropped. */
export class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}
