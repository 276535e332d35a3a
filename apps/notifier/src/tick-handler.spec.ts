import { createTickHandler } from './tick-handler';
import { recordingLogger, recordingMetrics, recordingNotifier } from './testing/recording-notifier';

/** EventBridge's scheduled event (the documented shape; invented ids). */
const SCHEDULED = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111122223333',
  time: '2026-11-21T12:05:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:111122223333:rule/ecslog-prod-notifier-tick'],
  detail: {},
};

describe('createTickHandler', () => {
  it('ticks once and counts the deliveries', async () => {
    const { notifier, calls } = recordingNotifier({
      tick: { sent: 3, retrying: 1, deadLettered: 1 },
    });
    const { logger } = recordingLogger();
    const { metrics, published } = recordingMetrics();
    const report = await createTickHandler({ notifier, logger, metrics })(SCHEDULED);
    expect(report).toEqual({ sent: 3, retrying: 1, deadLettered: 1 });
    expect(calls.map((c) => c.method)).toEqual(['tick']);
    expect(published).toEqual([{ messagesSent: 3, messagesRetrying: 1, messagesDeadLettered: 1 }]);
  });

  it('throws TickError with the cause when the notifier cannot read or write', async () => {
    const { notifier, fail } = recordingNotifier();
    const cause = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
    });
    fail('tick', cause);
    const { logger } = recordingLogger();
    const { metrics, published } = recordingMetrics();
    const tick = createTickHandler({ notifier, logger, metrics });
    await expect(tick(SCHEDULED)).rejects.toMatchObject({ name: 'TickError', cause });
    expect(published).toHaveLength(1);
  });
});
