import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import type { IncidentItem, ScheduleWatch } from '@ecslog/incidents';
import { incidentFixture, incidentMessageFixture } from '../testing';
import { decodeDocument, encodeDocument, StoredDocumentError } from './document-codec';

const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

/** An incident's state item as the core keeps it after a few failures (invented ids). */
function incidentItemFixture(): IncidentItem {
  const incident = incidentFixture({
    failedRuns: 3,
    lastFailureAt: '2026-11-30T02:41:12.000Z',
    last: {
      ...incidentFixture().first,
      runId: 'arn:aws:ecs:eu-west-1:123456789012:task/prod-batch/0a9b8c7d6e5f40312a3b4c5d6e7f8091',
      taskId: '0a9b8c7d6e5f40312a3b4c5d6e7f8091',
      at: '2026-11-30T02:41:12.000Z',
    },
  });
  return {
    kind: 'incident',
    id: incident.id,
    incident,
    countedRuns: ['tkd3a0k3f9q2z', 'tkd3b1xq0m4ha', 'tkd3c7a81vq0e'],
    updates: 1,
    lastMessageAt: '2026-11-30T02:36:00.000Z',
    failedRunsAtLastMessage: 2,
  };
}

describe('document codec', () => {
  it('keeps an incident item, a message and a schedule watch whole', () => {
    const watch: ScheduleWatch = {
      kind: 'schedule',
      id: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-batch#family:nightly-report',
      clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-batch',
      clusterName: 'prod-batch',
      group: 'family:nightly-report',
      account: '123456789012',
      region: 'eu-west-1',
      recentStarts: ['tkd3a0k3f9q2z', 'tkd3b1xq0m4ha'],
      startedBy: 'events-rule/nightly-report',
    };
    for (const value of [incidentItemFixture(), incidentMessageFixture('updated'), watch])
      expect(decodeDocument(encodeDocument(value))).toEqual(value);
  });

  it('stores a realistic incident item and message in about a fifth of their JSON', () => {
    for (const value of [incidentItemFixture(), incidentMessageFixture('opened')]) {
      const json = JSON.stringify(value);
      const stored = encodeDocument(value);
      // The dictionary is worth its keep: well below plain deflate at the same level.
      expect(stored.length).toBeLessThan(json.length / 4);
      expect(stored.length).toBeLessThan(deflateRawSync(json, { level: 9 }).length * 0.75);
    }
  });

  it('reads the JSON text items held before they were compressed', () => {
    const message = incidentMessageFixture('resolved');
    expect(decodeDocument(JSON.stringify(message))).toEqual(message);
  });

  it('refuses bytes of an unknown format and values that are no document, saying why', () => {
    expect(() => decodeDocument(Uint8Array.of(9, 1, 2))).toThrow(
      new StoredDocumentError('stored document has an unknown format byte 9'),
    );
    expect(() => decodeDocument(Uint8Array.of(1, 0xff, 0xff))).toThrow(
      'stored document cannot be decoded',
    );
    expect(() => decodeDocument(42)).toThrow('stored document is a number, not text or bytes');
  });

  it('decodes every JSON value it encoded, from a Uint8Array view as the SDK returns it', () => {
    console.log(`document codec: seed ${SEED} (replay with FC_SEED=${SEED})`);
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(8), (value, offset) => {
        const stored = encodeDocument(value);
        // The SDK hands binary attributes back as views into a larger buffer.
        const backing = new Uint8Array(offset + stored.length);
        backing.set(stored, offset);
        const view = new Uint8Array(backing.buffer, offset, stored.length);
        expect(decodeDocument(view)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
