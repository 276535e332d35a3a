import type { AuditRecord, MapResult, Problem } from '@ecslog/ecs-event-mapper';
import { describeProblems, lakePartition, mapEvent, toLakeRow } from '@ecslog/ecs-event-mapper';
import type {
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { encodeBase64Text } from './base64-text';
import type { FirehoseData } from './firehose-data';
import { decodeFirehoseData } from './firehose-data';

/**
 * Bytes of response JSON the transform aims to stay within. Lambda caps a synchronous response
 * at 6 MB; 6,000,000 leaves room for the runtime's own framing.
 */
export const RESPONSE_BUDGET_BYTES = 6_000_000;

export interface TransformOptions {
  /** Defaults to {@link RESPONSE_BUDGET_BYTES}. */
  responseBudgetBytes?: number;
  /** Defaults to `mapEvent`. */
  mapper?: (input: unknown) => MapResult;
}

/** Why a record was not returned `Ok` (or, for `spans-days`, something worth a warning). */
export type RecordNote =
  | { kind: 'dropped'; index: number; recordId: string; reason: string }
  | {
      kind: 'failed';
      index: number;
      recordId: string;
      cause: 'not-base64' | 'not-utf8' | 'not-json' | 'invalid' | 'over-budget';
      reason: string;
      problems?: Problem[];
    }
  | { kind: 'spans-days'; index: number; recordId: string; dt: string; days: string[] };

export interface TransformSummary {
  records: number;
  ok: number;
  dropped: number;
  /** Every ProcessingFailed record, `overBudget` included. */
  failed: number;
  /** Mapped records returned as ProcessingFailed to keep the response within the budget. */
  overBudget: number;
  /** Lake rows in the Ok records. */
  rows: number;
  /** Size of `JSON.stringify(response)`, in bytes. */
  responseBytes: number;
  budgetBytes: number;
}

export interface TransformOutcome {
  response: FirehoseTransformationResult;
  /** In input order. */
  notes: RecordNote[];
  summary: TransformSummary;
}

/** `{"records":[` and `]}`. */
const RESPONSE_FRAME_BYTES = JSON.stringify({ records: [] }).length;

/** The bytes of one response entry besides its recordId, data and dt (each counted as JSON, quotes included). */
function entryFrameBytes(result: FirehoseTransformationResultRecord['result'], withDt: boolean) {
  const entry = { recordId: '', result, data: '', metadata: { partitionKeys: { dt: '' } } };
  const json = JSON.stringify(withDt ? entry : { ...entry, metadata: undefined });
  return json.length - 2 * (withDt ? 3 : 2);
}
const OK_FRAME_BYTES = entryFrameBytes('Ok', true);
const DROPPED_FRAME_BYTES = entryFrameBytes('Dropped', false);
const FAILED_FRAME_BYTES = entryFrameBytes('ProcessingFailed', false);

/** Printable ASCII but `"` and `\`: the JSON of such a string is the string in quotes. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of a string as JSON (quotes and escapes included) in UTF-8. */
const jsonBytes = (value: string) =>
  PLAIN_ASCII.test(value) ? value.length + 2 : Buffer.byteLength(JSON.stringify(value));

/**
 * The functional core of the Firehose transform: one response entry per input record, same
 * recordId, same order. Never throws on record content.
 *
 * - mapped → `Ok`; `data` is the base64 of one NDJSON line per AuditRecord
 *   (`JSON.stringify(toLakeRow(record)) + '\n'`), `metadata.partitionKeys` is
 *   `lakePartition(record)` of the first record. Records of one event on different UTC days (not
 *   possible for one ECS event today) stay together under the first record's day, each row with
 *   its own `event_time`, and a `spans-days` note;
 * - ignored (or mapped to no record) → `Dropped`, with the original data;
 * - invalid, not base64, not UTF-8, not JSON → `ProcessingFailed`, with the original data, which
 *   Firehose writes under the error prefix.
 *
 * The response stays within `responseBudgetBytes` of JSON: if the Ok entries would take it over,
 * mapped records are kept `Ok` in input order while the rest of the response still fits, the
 * others are returned `ProcessingFailed` with their original data (`over-budget` notes) for
 * reprocessing from the error prefix. Only when every record returned with its original data would
 * not fit either (a request over the budget) is the response larger than the budget: then it is
 * no larger than that, which is smaller than the request, so Lambda still accepts it.
 *
 * @example
 * const { response, notes, summary } = transformRecords(event.records);
 */
export function transformRecords(
  records: readonly FirehoseTransformationEventRecord[],
  options: TransformOptions = {},
): TransformOutcome {
  const mapper = options.mapper ?? mapEvent;
  const budgetBytes = options.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES;
  const count = records.length;
  const entries: FirehoseTransformationResultRecord[] = new Array(count);
  const notes: RecordNote[] = [];
  // Bytes of each entry as built, and as it would be returned ProcessingFailed with its data.
  const sizes = new Float64Array(count);
  const fallbackSizes = new Float64Array(count);
  const rowCounts = new Uint32Array(count);
  let responseBytes = RESPONSE_FRAME_BYTES + Math.max(0, count - 1);

  for (let index = 0; index < count; index++) {
    const { recordId, data } = records[index] as FirehoseTransformationEventRecord;
    const decoded: FirehoseData = decodeFirehoseData(data);
    const idBytes = jsonBytes(recordId);
    // Base64 needs no JSON escaping; anything else is counted as JSON.
    const dataBytes =
      decoded.kind === 'unreadable' && decoded.problem === 'not-base64'
        ? jsonBytes(data)
        : data.length + 2;
    fallbackSizes[index] = FAILED_FRAME_BYTES + idBytes + dataBytes;

    if (decoded.kind === 'unreadable') {
      entries[index] = { recordId, result: 'ProcessingFailed', data };
      notes.push({
        kind: 'failed',
        index,
        recordId,
        cause: decoded.problem,
        reason: decoded.reason,
      });
      sizes[index] = fallbackSizes[index] as number;
    } else {
      let result: MapResult;
      try {
        result = mapper(decoded.value);
      } catch (error) {
        // Defence in depth: mapEvent does not throw; if a mapper ever does, the record is kept.
        const message = error instanceof Error ? error.message : String(error);
        result = {
          kind: 'invalid',
          problems: [{ path: '', message: `could not be mapped: ${message}` }],
          input: decoded.value,
        };
      }
      if (result.kind === 'mapped' && result.records.length > 0) {
        const { dt } = lakePartition(result.records[0] as AuditRecord);
        let lines = '';
        let days: string[] | undefined;
        for (const record of result.records) {
          lines += JSON.stringify(toLakeRow(record)) + '\n';
          if (result.records.length === 1) break;
          const day = lakePartition(record).dt;
          if (day !== dt && !days?.includes(day)) (days ??= [dt]).push(day);
        }
        const encoded = encodeBase64Text(lines);
        entries[index] = {
          recordId,
          result: 'Ok',
          data: encoded,
          metadata: { partitionKeys: { dt } },
        };
        rowCounts[index] = result.records.length;
        sizes[index] = OK_FRAME_BYTES + idBytes + encoded.length + 2 + jsonBytes(dt);
        if (days) notes.push({ kind: 'spans-days', index, recordId, dt, days });
      } else if (result.kind === 'invalid') {
        entries[index] = { recordId, result: 'ProcessingFailed', data };
        notes.push({
          kind: 'failed',
          index,
          recordId,
          cause: 'invalid',
          reason: describeProblems(result.problems),
          problems: result.problems,
        });
        sizes[index] = fallbackSizes[index] as number;
      } else {
        entries[index] = { recordId, result: 'Dropped', data };
        notes.push({
          kind: 'dropped',
          index,
          recordId,
          reason: result.kind === 'ignored' ? result.reason : 'the event maps to no record',
        });
        sizes[index] = DROPPED_FRAME_BYTES + idBytes + dataBytes;
      }
    }
    responseBytes += sizes[index] as number;
  }

  let overBudget = 0;
  if (responseBytes > budgetBytes) {
    const shed = shedOverBudget(entries, records, sizes, fallbackSizes, budgetBytes);
    responseBytes = shed.responseBytes;
    for (const index of shed.indexes) {
      const { recordId } = entries[index] as FirehoseTransformationResultRecord;
      notes.push({
        kind: 'failed',
        index,
        recordId,
        cause: 'over-budget',
        reason:
          `its ${rowCounts[index]} row(s) (${sizes[index]} bytes of response) would take the response over ` +
          `its ${budgetBytes}-byte budget: returned with its original data, for reprocessing from the error prefix`,
      });
      rowCounts[index] = 0;
    }
    overBudget = shed.indexes.length;
    notes.sort((a, b) => a.index - b.index);
  }

  let ok = 0;
  let dropped = 0;
  let rows = 0;
  for (let index = 0; index < count; index++) {
    const result = (entries[index] as FirehoseTransformationResultRecord).result;
    if (result === 'Ok') ok++;
    else if (result === 'Dropped') dropped++;
    rows += rowCounts[index] as number;
  }
  return {
    response: { records: entries },
    notes,
    summary: {
      records: count,
      ok,
      dropped,
      failed: count - ok - dropped,
      overBudget,
      rows,
      responseBytes,
      budgetBytes,
    },
  };
}

/**
 * Turns Ok entries back into ProcessingFailed ones with their original data until the response
 * fits. The limit is the budget, or the response with every Ok entry returned with its data if
 * that is larger. Every other entry keeps its size, and so does every Ok entry no larger than its
 * data (keeping it costs nothing); the other Ok entries are kept in input order while the
 * response, with each one not yet decided counted at its fallback size, stays within the limit.
 * So no entry turned back could have been kept Ok without exceeding the limit.
 */
function shedOverBudget(
  entries: FirehoseTransformationResultRecord[],
  records: readonly FirehoseTransformationEventRecord[],
  sizes: Float64Array,
  fallbackSizes: Float64Array,
  budgetBytes: number,
): { indexes: number[]; responseBytes: number } {
  let allFallback = RESPONSE_FRAME_BYTES + Math.max(0, entries.length - 1);
  let projected = allFallback;
  entries.forEach((entry, index) => {
    const size = sizes[index] as number;
    const fallback = fallbackSizes[index] as number;
    allFallback += entry.result === 'Ok' ? fallback : size;
    projected += entry.result === 'Ok' ? Math.min(size, fallback) : size;
  });
  const limit = Math.max(budgetBytes, allFallback);
  const indexes: number[] = [];
  entries.forEach((entry, index) => {
    const extra = (sizes[index] as number) - (fallbackSizes[index] as number);
    if (entry.result !== 'Ok' || extra <= 0) return;
    if (projected + extra <= limit) {
      projected += extra;
      return;
    }
    const { recordId, data } = records[index] as FirehoseTransformationEventRecord;
    entries[index] = { recordId, result: 'ProcessingFailed', data };
    indexes.push(index);
  });
  return { indexes, responseBytes: projected };
}
