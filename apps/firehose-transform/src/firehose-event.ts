import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';

/** Most problems named in an {@link InvalidFirehoseEventError} message; `problems` has them all. */
const NAMED_PROBLEMS = 5;

/**
 * The invocation is not a Firehose data-transformation event: no `records` array, or a record
 * without a string `recordId` and `data`. Firehose never sends one; thrown so that whoever did
 * sees why at once, instead of a response Firehose would reject.
 */
export class InvalidFirehoseEventError extends Error {
  override readonly name = 'InvalidFirehoseEventError';
  constructor(readonly problems: readonly string[]) {
    super(
      `not a Firehose data-transformation event (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
        problems.slice(0, NAMED_PROBLEMS).join('; ') +
        (problems.length > NAMED_PROBLEMS ? '; …' : ''),
    );
  }
}

/**
 * Checks the envelope of a data-transformation invocation (Direct PUT or Kinesis-sourced) and
 * returns it typed; the records' `data` is not looked at. Throws {@link InvalidFirehoseEventError}.
 *
 * @example
 * const event = readFirehoseEvent(JSON.parse(body));
 * for (const record of event.records) decodeFirehoseData(record.data);
 */
export function readFirehoseEvent(input: unknown): FirehoseTransformationEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidFirehoseEventError([`the event must be an object, got ${typeName(input)}`]);
  const records = (input as { records?: unknown }).records;
  if (!Array.isArray(records))
    throw new InvalidFirehoseEventError([`records must be an array, got ${typeName(records)}`]);
  const problems: string[] = [];
  records.forEach((record: unknown, index) => {
    if (typeof record !== 'object' || record === null) {
      problems.push(`records[${index}] must be an object, got ${typeName(record)}`);
      return;
    }
    const { recordId, data } = record as Partial<FirehoseTransformationEventRecord>;
    if (typeof recordId !== 'string')
      problems.push(`records[${index}].recordId must be a string, got ${typeName(recordId)}`);
    if (typeof data !== 'string')
      problems.push(`records[${index}].data must be a base64 string, got ${typeName(data)}`);
  });
  if (problems.length > 0) throw new InvalidFirehoseEventError(problems);
  return input as FirehoseTransformationEvent;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
