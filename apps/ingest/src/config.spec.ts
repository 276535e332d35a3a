import fc from 'fast-check';
import { ConfigurationError, loadConfig, parseConfig } from './config';

const GOOD = {
  TABLE_NAME: 'ecslog-audit',
  QUARANTINE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-quarantine',
  AWS_REGION: 'eu-west-1',
};

/** The thrown error, for assertions on its message. */
function configurationError(env: Record<string, string | undefined>): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig', () => {
  it('reads a minimal Lambda environment, with defaults', () => {
    expect(loadConfig(GOOD)).toEqual({
      tableName: 'ecslog-audit',
      retentionDays: 30,
      quarantine: { kind: 'sqs', queueUrl: GOOD.QUARANTINE_QUEUE_URL },
      region: 'eu-west-1',
      serviceName: 'ecslog-ingest',
      metricsNamespace: 'ecslog',
    });
  });

  it('reads local mode: a file quarantine, a DynamoDB endpoint, every option set', () => {
    const config = loadConfig({
      TABLE_NAME: 'audit_local.v1',
      RETENTION_DAYS: '7.5',
      QUARANTINE_FILE: '.ecslog/quarantine.ndjson',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      AWS_DEFAULT_REGION: 'us-east-1',
      POWERTOOLS_SERVICE_NAME: 'ingest-local',
      POWERTOOLS_METRICS_NAMESPACE: 'ecslog/local',
    });
    expect(config).toEqual({
      tableName: 'audit_local.v1',
      retentionDays: 7.5,
      quarantine: { kind: 'file', path: '.ecslog/quarantine.ndjson' },
      dynamoDbEndpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      serviceName: 'ingest-local',
      metricsNamespace: 'ecslog/local',
    });
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ ...GOOD, RETENTION_DAYS: ' ', POWERTOOLS_SERVICE_NAME: '' });
    expect(config.retentionDays).toBe(30);
    expect(config.serviceName).toBe('ecslog-ingest');
  });

  it('names every bad variable in one message when everything is wrong', () => {
    const error = configurationError({
      RETENTION_DAYS: '0',
      QUARANTINE_QUEUE_URL: 'sqs://queue',
      DYNAMODB_ENDPOINT: 'localhost:8000',
      POWERTOOLS_METRICS_NAMESPACE: 'has spaces',
    });
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toBe(
      'ecslog ingest is misconfigured (6 problems): ' +
        'TABLE_NAME is required (the audit table name); ' +
        'RETENTION_DAYS must be a positive number of days, got "0"; ' +
        'QUARANTINE_QUEUE_URL must be an http(s) URL, got "sqs://queue"; ' +
        'DYNAMODB_ENDPOINT must be an http(s) URL, got "localhost:8000"; ' +
        'AWS_REGION is required (Lambda sets it; set it yourself in local mode); ' +
        'POWERTOOLS_METRICS_NAMESPACE must be a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :), got "has spaces"',
    );
  });

  it.each([
    [
      'both quarantines',
      { ...GOOD, QUARANTINE_FILE: '/tmp/q.ndjson' },
      'QUARANTINE_QUEUE_URL and QUARANTINE_FILE are both set: set exactly one; QUARANTINE_FILE and QUARANTINE_QUEUE_URL are both set: set exactly one',
    ],
    [
      'no quarantine',
      { TABLE_NAME: 'audit', AWS_REGION: 'eu-west-1' },
      'QUARANTINE_QUEUE_URL or QUARANTINE_FILE is required: set exactly one; QUARANTINE_FILE or QUARANTINE_QUEUE_URL is required: set exactly one',
    ],
    [
      'a FIFO queue',
      { ...GOOD, QUARANTINE_QUEUE_URL: `${GOOD.QUARANTINE_QUEUE_URL}.fifo` },
      `QUARANTINE_QUEUE_URL must be a standard queue, not FIFO, got "${GOOD.QUARANTINE_QUEUE_URL}.fifo"`,
    ],
    [
      'a table name with a space',
      { ...GOOD, TABLE_NAME: 'audit table' },
      'TABLE_NAME must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got "audit table"',
    ],
    [
      'retention that is not a number',
      { ...GOOD, RETENTION_DAYS: '30d' },
      'RETENTION_DAYS must be a positive number of days, got "30d"',
    ],
  ])('%s', (_name, env, problems) => {
    const error = configurationError(env);
    expect(error.message).toBe(
      `ecslog ingest is misconfigured (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}): ${problems}`,
    );
  });

  it('cuts long bad values short in the message', () => {
    const error = configurationError({ ...GOOD, TABLE_NAME: 'x'.repeat(300) });
    expect(error.message).toContain(`got "${'x'.repeat(200)}…"`);
    expect(error.message).not.toContain('x'.repeat(201));
  });

  // Each variable is set good, bad or not at all; the expected bad set follows from the choices.
  it('reports exactly the bad variables, whatever the combination', () => {
    const choice = <T>(...options: T[]) => fc.constantFrom(...options);
    const tableName = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_.-]{3,40}$/).map((v) => ({ value: v, bad: false })),
      choice(undefined, '', 'ab', 'audit table', 'a'.repeat(256)).map((v) => ({
        value: v,
        bad: true,
      })),
    );
    const retention = fc.oneof(
      choice(undefined, ' ').map((v) => ({ value: v, bad: false })),
      fc
        .double({ min: 0.01, max: 3650, noNaN: true })
        .map((d) => ({ value: String(d), bad: false })),
      choice('0', '-1', 'abc', 'Infinity', 'NaN', '1e400').map((v) => ({ value: v, bad: true })),
    );
    const queue = choice(
      { value: undefined, bad: false },
      { value: 'https://sqs.eu-west-1.amazonaws.com/1/q', bad: false },
      { value: 'http://localhost:9324/1/q', bad: false },
      { value: 'not a url', bad: true },
      { value: 'https://sqs.eu-west-1.amazonaws.com/1/q.fifo', bad: true },
    );
    const file = choice(undefined, '/tmp/quarantine.ndjson', '');
    const endpoint = choice(undefined, 'http://127.0.0.1:8000', 'ftp://x', 'nope');
    const region = choice(undefined, 'eu-west-1');
    const namespace = choice(undefined, 'ecslog', 'bad namespace');

    fc.assert(
      fc.property(
        tableName,
        retention,
        queue,
        file,
        endpoint,
        region,
        namespace,
        (table, days, queueUrl, path, dynamo, awsRegion, ns) => {
          const env = {
            TABLE_NAME: table.value,
            RETENTION_DAYS: days.value,
            QUARANTINE_QUEUE_URL: queueUrl.value,
            QUARANTINE_FILE: path,
            DYNAMODB_ENDPOINT: dynamo,
            AWS_REGION: awsRegion,
            POWERTOOLS_METRICS_NAMESPACE: ns,
          };
          const hasQueue = queueUrl.value !== undefined;
          const hasFile = path !== undefined && path !== '';
          const expected = new Set<string>();
          if (table.bad) expected.add('TABLE_NAME');
          if (days.bad) expected.add('RETENTION_DAYS');
          if (hasQueue === hasFile) {
            expected.add('QUARANTINE_QUEUE_URL');
            expected.add('QUARANTINE_FILE');
          } else if (queueUrl.bad) expected.add('QUARANTINE_QUEUE_URL');
          if (dynamo !== undefined && !dynamo.startsWith('http://'))
            expected.add('DYNAMODB_ENDPOINT');
          if (awsRegion === undefined) expected.add('AWS_REGION');
          if (ns === 'bad namespace') expected.add('POWERTOOLS_METRICS_NAMESPACE');

          const result = parseConfig(env);
          if (expected.size === 0) {
            expect(result.ok).toBe(true);
            expect(() => loadConfig(env)).not.toThrow();
            return;
          }
          expect(result.ok).toBe(false);
          const error = configurationError(env);
          expect(new Set(error.problems.map((p) => p.variable))).toEqual(expected);
          for (const variable of expected) expect(error.message).toContain(variable);
          expect(error.message).not.toContain('\n');
        },
      ),
    );
  });
});
