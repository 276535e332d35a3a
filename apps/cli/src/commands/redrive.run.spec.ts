import { describeSource, regionOfQueueUrl } from './redrive.run';

describe('regionOfQueueUrl', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-prod-dlq', 'eu-west-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q', 'cn-north-1'],
    ['https://ap-southeast-2.queue.amazonaws.com/111122223333/q', 'ap-southeast-2'],
    ['http://127.0.0.1:4566/111122223333/q', undefined],
  ])('reads the region of %s', (url, region) => {
    expect(regionOfQueueUrl(url)).toBe(region);
  });
});

describe('describeSource', () => {
  const summary = {
    source: 'queue https://sqs.eu-west-1.amazonaws.com/111122223333/dlq',
    read: 5,
    replayed: 3,
    stillInvalid: 1,
    failed: 1,
    events: 7,
    written: 4,
    alreadyStored: 2,
  };

  it('says per source what was read and what became of it', () => {
    expect(describeSource(summary, false)).toBe(
      'queue https://sqs.eu-west-1.amazonaws.com/111122223333/dlq: read 5, replayed 3, still invalid 1, failed 1; 7 events → 4 records stored, 2 already stored',
    );
    expect(describeSource({ ...summary, error: 'AccessDenied: no' }, true)).toBe(
      'queue https://sqs.eu-west-1.amazonaws.com/111122223333/dlq: read 5, would replay 3, still invalid 1, failed 1; 7 events (AccessDenied: no)',
    );
  });
});
