import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { digestDrift, packTimeline, toTaskRuns, toTimeline } from '@ecslog/task-runs';
import { FIRST, SECOND, THIRD, webTaskEvent } from '../testing/provenance-events';
import type { SearchFacts, TimelineResponse } from './api-types';
import { packRunFacts, timelineViewOf } from './api-types';

const records = [FIRST, SECOND, THIRD].flatMap((facts) => {
  const result = mapEvent(webTaskEvent(facts));
  if (result.kind !== 'mapped') throw new Error(result.kind);
  return result.records as AuditRecord[];
});
const runs = toTaskRuns(records);
const DAY = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };

describe('the drifts and search of a timeline answer', () => {
  const timeline = toTimeline(runs, DAY, Date.parse(DAY.to));
  const drifts = digestDrift(runs);
  const search: SearchFacts = {
    text: 'web:v2.13.0',
    kind: 'image',
    description: 'of image web:v2.13.0',
    matched: Object.fromEntries(runs.map((run, i) => [run.id, i === 2 ? 'sha256:b' : 'sha256:a'])),
  };
  const answer = (): TimelineResponse =>
    JSON.parse(
      JSON.stringify({
        ...packTimeline(timeline),
        store: 'test',
        choices: { clusters: [], groups: [] },
        ...packRunFacts(timeline, drifts, search),
      }),
    ) as TimelineResponse;

  it('reads back, unpacked, as the drifts and matches they were', () => {
    expect(drifts).toHaveLength(1);

    const view = timelineViewOf(answer());

    expect(view.drifts).toEqual(drifts);
    expect(view.search).toEqual(search);
  });

  it('names runs by index and each match once, not by ARN', () => {
    const packed = answer();

    expect(JSON.stringify(packed.drifts)).not.toContain(':task/');
    expect(packed.drifts[0]?.digests.map((d) => d.runs)).toEqual([[0, 1], [2]]);
    expect(packed.search).toMatchObject({ values: ['sha256:a', 'sha256:b'], matched: [0, 0, 1] });
  });
});
