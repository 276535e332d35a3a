import { readStageConfig, StageConfigError } from './stage-config';

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
      clusters: 'prod-web, batch',
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
      clusters: ['prod-web', 'batch'],
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
});
