import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';

/** Base64 of the UTF-8 text or the bytes. */
export const toBase64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

/** The UTF-8 text of base64 data. */
export const fromBase64 = (data: string) => Buffer.from(data, 'base64').toString('utf8');

/** A Direct PUT invocation of the given record datas, with recordIds `0`, `1`, … unless given. */
export function firehoseEventOf(
  datas: readonly string[],
  recordIds: readonly string[] = datas.map((_, index) => String(index)),
): FirehoseTransformationEvent {
  return {
    invocationId: '00000000-0000-4000-8000-000000000000',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/ecslog-lake',
    region: 'eu-west-1',
    records: datas.map((data, index): FirehoseTransformationEventRecord => ({
      recordId: recordIds[index] as string,
      approximateArrivalTimestamp: Date.UTC(2026, 10, 20, 3) + index,
      data,
    })),
  };
}

/** The lake rows in an Ok record's data, parsed, one per NDJSON line. */
export function rowsOf(record: FirehoseTransformationResultRecord): Record<string, unknown>[] {
  const text = fromBase64(record.data ?? '');
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
