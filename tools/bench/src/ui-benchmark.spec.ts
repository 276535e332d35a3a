import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { itemsReadOf, renameClusters, simulatedDays } from './ui-benchmark';

describe('renameClusters', () => {
  const names = new Map([
    ['data', 'data-2'],
    ['batch', 'batch-2'],
  ]);

  it('renames the cluster in every ECS ARN and in a CloudTrail cluster parameter, nothing else', () => {
    const event = {
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/data',
        taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        containerInstanceArn:
          'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        group: 'family:data-export',
        capacityProviderName: 'batch-ec2-capacity',
        stoppedReason: 'batch job data load failed',
        requestParameters: { cluster: 'batch', taskDefinition: 'data-export:3' },
        containers: [
          {
            containerArn:
              'arn:aws:ecs:eu-west-1:111122223333:container/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
          },
        ],
      },
      resources: ['arn:aws:ecs:eu-west-1:111122223333:task/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
    };

    expect(renameClusters(event, names)).toEqual({
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/data-2',
        taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        containerInstanceArn:
          'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch-2/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        group: 'family:data-export',
        capacityProviderName: 'batch-ec2-capacity',
        stoppedReason: 'batch job data load failed',
        requestParameters: { cluster: 'batch-2', taskDefinition: 'data-export:3' },
        containers: [
          {
            containerArn:
              'arn:aws:ecs:eu-west-1:111122223333:container/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
          },
        ],
      },
      resources: [
        'arn:aws:ecs:eu-west-1:111122223333:task/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ],
    });
  });
});

describe('simulatedDays', () => {
  it('holds exactly the runs asked for, every event mapping into a renamed cluster', () => {
    const day = simulatedDays(7, 130);

    expect(day.runs.size).toBe(130);
    expect(day.copies).toBeGreaterThan(1);
    const records: AuditRecord[] = day.events.flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => /^(prod-web|batch|data)-\d$/.test(record.clusterName))).toBe(
      true,
    );
    const tasks = new Set(
      records.filter((record) => record.recordType === 'task').map((r) => r.resourceArn),
    );
    expect([...tasks].every((arn) => day.runs.has(arn))).toBe(true);
  });
});

describe('itemsReadOf', () => {
  const answer = (timing?: string) =>
    new Response('{}', timing ? { headers: { 'Server-Timing': timing } } : {});

  it("reads the items metric of the web server's Server-Timing", () => {
    expect(itemsReadOf(answer('timeline;dur=412.5, items;desc="10240"'), '?since=1d')).toBe(10_240);
  });

  it('fails loudly when the answer says nothing of its reads (a stopped read, an older server)', () => {
    expect(() => itemsReadOf(answer('timeline;dur=3.0'), '?since=1d')).toThrow(
      /^\/api\/timeline\?since=1d says no items read in Server-Timing \("timeline;dur=3\.0"\)$/,
    );
    expect(() => itemsReadOf(answer(), '')).toThrow(/says no items read/);
  });
});
