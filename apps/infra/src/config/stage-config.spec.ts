import { readStageConfig, StageConfigError } from './stage-config';

const WEB = 'arn:aws:ecs:eu-west-1:444455556666:cluster/prod-web';
const BATCH = 'arn:aws:ecs:eu-west-1:777788889999:cluster/batch';
const read = (context: Record<string, unknown>) => readStageConfig((key) => context[key]);

describe('readStageConfig', () => {
  it('defaults to a working single-account dev stage', () => {
    expect(read({})).toEqual({
      stage: 'dev',
      topology: 'direct',
      shardCount: 1,
      retentionDays: 30,
      clusters: [],
      captureApiCalls: true,
      lake: true,
      lakeInfrequentAccessDays: 30,
      lakeExpireDays: 0,
      removalPolicy: 'destroy',
      memberAccounts: [],
    });
  });

  it('reads -c values, which arrive as text', () => {
    const config = read({
      stage: 'prod',
      topology: 'stream',
      shardCount: '4',
      retentionDays: '90',
      clusters: `${WEB}, ${BATCH}`,
      captureApiCalls: 'false',
      lake: 'false',
      alarmEmail: 'oncall@example.com',
      memberAccounts: '444455556666,777788889999',
    });

    expect(config).toMatchObject({
      stage: 'prod',
      topology: 'stream',
      shardCount: 4,
      retentionDays: 90,
      clusters: [WEB, BATCH],
      captureApiCalls: false,
      lake: false,
      alarmEmail: 'oncall@example.com',
      removalPolicy: 'retain',
      memberAccounts: ['444455556666', '777788889999'],
    });
  });

  it('names every bad value at once', () => {
    let error: unknown;
    try {
      read({
        topology: 'firehose',
        shardCount: '0',
        captureApiCalls: 'yes',
        memberAccounts: '12345',
        stage: 'Prod!',
      });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(StageConfigError);
    expect((error as StageConfigError).problems).toEqual([
      expect.stringMatching(/^stage must be lower-case/),
      'topology must be direct or stream, got "firehose"',
      'memberAccounts: 12345 is not a 12-digit account id',
      expect.stringMatching(/^shardCount must be a whole number from 1 to 500/),
      'captureApiCalls must be true or false, got "yes"',
    ]);
  });

  it('refuses a malformed central account or region with the value it got', () => {
    expect(() => read({ centralAccount: '12345' })).toThrow(
      'centralAccount must be the 12-digit id of the central ecslog account, got "12345"',
    );
    expect(() => read({ centralAccount: '111122223333', centralRegion: 'Europe' })).toThrow(
      'centralRegion must be an AWS region such as eu-west-1, got "Europe"',
    );
    expect(() => read({ centralRegion: 'eu-west-1' })).toThrow(
      /centralRegion needs centralAccount/,
    );
    expect(read({ centralAccount: '111122223333', centralRegion: 'us-gov-west-1' })).toMatchObject({
      centralAccount: '111122223333',
      centralRegion: 'us-gov-west-1',
    });
  });

  it('with member accounts, refuses bare cluster names (they cannot say whose cluster)', () => {
    expect(() => read({ memberAccounts: '444455556666', clusters: 'web,batch' })).toThrow(
      /clusters: with memberAccounts, name each cluster by its ARN .*: web, batch/,
    );
    const arn = 'arn:aws:ecs:eu-west-1:444455556666:cluster/web';
    expect(read({ memberAccounts: '444455556666', clusters: arn }).clusters).toEqual([arn]);
    expect(() => read({ clusters: 'arn:aws:ecs:eu-west-1:123:cluster/web' })).toThrow(
      /is not an ECS cluster ARN/,
    );
  });
});
