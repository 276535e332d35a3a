import type { Incident } from './incident';
import { isTold } from './mutes';
import { DEFAULT_NOTIFY_CONFIG } from './notify-config';
import { failureOfRecord } from './testing/incidents';
import { SERVICE_OOM } from './testing/records';

const PROD_WEB = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';
const NOW = '2026-11-20T06:00:00.000Z';
const incident: Incident = failureOfRecord(SERVICE_OOM);
const filtered = (filters: typeof DEFAULT_NOTIFY_CONFIG.filters) => ({
  ...DEFAULT_NOTIFY_CONFIG,
  filters,
});

describe('isTold', () => {
  it('tells everything without filters and mutes', () => {
    expect(isTold(incident, DEFAULT_NOTIFY_CONFIG, [], NOW)).toBe(true);
  });

  it('tells only what passes every filter: clusters by name or ARN, groups, categories or kinds', () => {
    expect(isTold(incident, filtered({ clusters: ['prod-web'] }), [], NOW)).toBe(true);
    expect(isTold(incident, filtered({ clusters: [PROD_WEB] }), [], NOW)).toBe(true);
    expect(isTold(incident, filtered({ clusters: ['batch'] }), [], NOW)).toBe(false);
    expect(isTold(incident, filtered({ groups: ['service:queue-worker'] }), [], NOW)).toBe(true);
    expect(isTold(incident, filtered({ groups: ['service:web'] }), [], NOW)).toBe(false);
    expect(isTold(incident, filtered({ categories: ['out-of-memory'] }), [], NOW)).toBe(true);
    expect(isTold(incident, filtered({ categories: ['crash-loop'] }), [], NOW)).toBe(false);
    const crashLoop = {
      ...incident,
      key: { ...incident.key, kind: 'crash-loop' as const, category: undefined },
    };
    expect(isTold(crashLoop, filtered({ categories: ['crash-loop'] }), [], NOW)).toBe(true);
  });

  it('tells nothing of a group muted until later, in its cluster or in every cluster', () => {
    const later = '2026-11-20T07:00:00.000Z';

    expect(
      isTold(
        incident,
        DEFAULT_NOTIFY_CONFIG,
        [{ group: 'service:queue-worker', until: later }],
        NOW,
      ),
    ).toBe(false);
    expect(
      isTold(
        incident,
        DEFAULT_NOTIFY_CONFIG,
        [{ group: 'service:queue-worker', clusterArn: PROD_WEB, until: later }],
        NOW,
      ),
    ).toBe(false);
    expect(
      isTold(
        incident,
        DEFAULT_NOTIFY_CONFIG,
        [
          {
            group: 'service:queue-worker',
            clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch',
            until: later,
          },
        ],
        NOW,
      ),
    ).toBe(true);
    expect(
      isTold(incident, DEFAULT_NOTIFY_CONFIG, [{ group: 'service:queue-worker', until: NOW }], NOW),
    ).toBe(true);
    expect(
      isTold(incident, DEFAULT_NOTIFY_CONFIG, [{ group: 'service:web', until: later }], NOW),
    ).toBe(true);
  });
});
