import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mappedRecords } from '@ecslog/ecs-event-mapper/testing';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { asksForOtherEvents } from './events.command';
import { renderOtherEvents, selectOtherEvents } from './other-events';

const one = (name: string): AuditRecord =>
  mappedRecords(loadFixture(`eventbridge/${name}.json`))[0]!;

const generic = (overrides: Record<string, unknown>): AuditRecord =>
  mappedRecords({
    version: '0',
    id: 'a1',
    'detail-type': 'ECS Something New',
    source: 'aws.ecs',
    account: '444455556666',
    time: '2026-11-20T20:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {},
    ...overrides,
  })[0]!;

describe('ecslog events --other', () => {
  const health = one('container-instance-health-runtime-ok');
  const daemon = one('daemon-deployment-pending');
  const future = generic({
    detail: { clusterArn: 'arn:aws:ecs:us-east-1:444455556666:cluster/edge' },
  });

  it('is asked for by --other or by --kind', () => {
    expect(asksForOtherEvents({})).toBe(false);
    expect(asksForOtherEvents({ other: true })).toBe(true);
    expect(asksForOtherEvents({ kind: 'ECS Something New' })).toBe(true);
  });

  it('selects by detail-type, ignoring case and spaces around it, and by cluster', () => {
    const all = [health, daemon, future];

    expect(selectOtherEvents(all, {})).toEqual(all);
    expect(selectOtherEvents(all, { kind: ' ecs something NEW ' })).toEqual([future]);
    expect(selectOtherEvents(all, { kind: 'ECS Nothing' })).toEqual([]);
    expect(selectOtherEvents(all, { cluster: 'batch' })).toEqual([health, daemon]);
    expect(selectOtherEvents(all, { cluster: 'edge', kind: 'ECS Something New' })).toEqual([
      future,
    ]);
  });

  it('shows the kind, the resource part of the ARN, and says when a detail was cut', () => {
    const cut = generic({ id: 'a2', detail: { blob: 'x'.repeat(20_000) } });

    const lines = renderOtherEvents([health, cut], { utc: true }).trimEnd().split('\n');

    expect(lines.map((line) => line.split(/ {2,}/).slice(0, 5))).toEqual([
      ['TIME (UTC)', 'CLUSTER', 'KIND', 'RESOURCE', 'OUTCOME'],
      [
        '2026-11-20 09:14:41',
        'batch',
        'ECS Container Instance Health Change',
        'container-instance/batch/5c0e7a2b9f4d41e6b8a3d1c7e2f09b54',
        'info',
      ],
      ['2026-11-20 20:00:00', '-', 'ECS Something New (detail cut)', '-', 'info'],
    ]);
  });
});
