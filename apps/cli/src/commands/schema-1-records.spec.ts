/**
 * Records stored before AuditRecord schema 2 (task provenance) still read: the table's items
 * decode, the views print them, `--json` prints them as stored, and the lake row has the new
 * columns null.
 */
import { decodeRecord, encodeRecord } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { AUDIT_RECORD_SCHEMA_VERSION, toLakeRow } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { toTaskRuns } from '@ecslog/task-runs';
import { parseRecords } from '../testing/run-ecslog';
import { renderTimeline } from './task.run';
import { renderRuns } from './tasks.run';

/** A record as schema 1 wrote it: no provenance fields, schemaVersion 1. */
function asSchema1(record: AuditRecord): AuditRecord {
  const {
    platformVersion: _platformVersion,
    containerInstanceArn: _containerInstanceArn,
    network: _network,
    containers,
    ...rest
  } = record;
  const v1 = {
    ...rest,
    schemaVersion: 1,
    containers: containers?.map(
      ({ imageDigest: _d, runtimeId: _r, networkInterfaces: _n, ...container }) => container,
    ),
  };
  return JSON.parse(JSON.stringify(v1)) as AuditRecord;
}

const UTC = { utc: true };
const STOPPED = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json')[0] as AuditRecord;
const RUNNING = fixtureRecords('eventbridge/task-lifecycle-04-running.json')[0] as AuditRecord;

describe('a stored schema-1 record', () => {
  const storedJson = [RUNNING, STOPPED].map((r) => JSON.stringify(asSchema1(r)));
  const decoded = storedJson.map((json) =>
    decodeRecord({ r: encodeRecord(JSON.parse(json) as AuditRecord) }),
  );

  it('is what the mapper writes today less the provenance fields', () => {
    expect(AUDIT_RECORD_SCHEMA_VERSION).toBe(2);
    expect(STOPPED.network).toBeDefined();
    expect(storedJson[1]).not.toContain('"network"');
    expect(storedJson[1]).not.toContain('imageDigest');
  });

  it('decodes from the table item as it was stored, version 1 kept', () => {
    expect(decoded.map((r) => JSON.stringify(r))).toEqual(storedJson);
    expect(decoded.map((r) => r.schemaVersion)).toEqual([1, 1]);
  });

  it('prints in `ecslog task` and `ecslog tasks`', () => {
    const view = renderTimeline(decoded, UTC);
    const table = renderRuns(toTaskRuns(decoded), { ...UTC, now: Date.parse(STOPPED.eventTime) });

    expect(view).toContain(STOPPED.taskId);
    expect(view).toContain('STOPPED');
    expect(view).not.toContain('undefined');
    expect(table).toContain(STOPPED.taskId);
  });

  it('is accepted as NDJSON output, beside schema-2 lines', () => {
    const lines = [...storedJson, JSON.stringify(STOPPED)].join('\n');

    expect(parseRecords(lines).map((r) => r.schemaVersion)).toEqual([1, 1, 2]);
    expect(() => parseRecords(JSON.stringify({ ...STOPPED, schemaVersion: 3 }))).toThrow(
      /not an AuditRecord/,
    );
  });

  it('gives a lake row with the provenance columns null', () => {
    expect(toLakeRow(decoded[1] as AuditRecord)).toMatchObject({
      schema_version: 1,
      platform_version: null,
      eni_id: null,
      private_ipv4: null,
    });
  });
});
