import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { AwsTableOptions } from './aws-store';
import { explainAwsError } from './aws-store';

/** An error as the AWS SDK v3 throws it: an Error whose `name` is the exception's. */
function sdkError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

const TABLE: AwsTableOptions = { table: 'ecslog-audit', region: 'eu-west-1' };
const WITH_PROFILE: AwsTableOptions = { ...TABLE, profile: 'ops-readonly' };

describe('explainAwsError', () => {
  it('says how to configure credentials when there are none', () => {
    const error = sdkError(
      'CredentialsProviderError',
      'Could not load credentials from any providers',
    );

    expect(explainAwsError(error, TABLE, 'eu-west-1')).toBe(
      'no AWS credentials found: configure a profile (aws configure, aws sso login) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
    expect(explainAwsError(error, WITH_PROFILE, 'eu-west-1')).toBe(
      'no AWS credentials found (profile ops-readonly): configure a profile (aws configure, aws sso login) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
  });

  it('recognises missing credentials by the message when the name is generic', () => {
    const error = new Error('Unable to find credentials for profile ops-readonly');

    expect(explainAwsError(error, WITH_PROFILE, 'eu-west-1')).toMatch(
      /^no AWS credentials found \(profile ops-readonly\): /,
    );
  });

  it('asks for a region when the SDK has none', () => {
    expect(explainAwsError(new Error('Region is missing'), { table: 'ecslog-audit' }, '?')).toBe(
      'no AWS region: pass --region or set AWS_REGION',
    );
  });

  it('names the table and region when the table does not exist', () => {
    const error = new ResourceNotFoundException({
      message: 'Requested resource not found',
      $metadata: { httpStatusCode: 400 },
    });

    expect(explainAwsError(error, TABLE, 'eu-west-1')).toBe(
      'table ecslog-audit not found in eu-west-1: check --table and --region',
    );
    expect(explainAwsError(error, WITH_PROFILE, 'us-east-1')).toBe(
      'table ecslog-audit not found in us-east-1 (profile ops-readonly): check --table and --region',
    );
  });

  it.each([
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    [
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    ],
    ['ExpiredTokenException', 'The security token included in the request is expired'],
  ])('passes on why AWS rejected the credentials (%s)', (name, message) => {
    expect(explainAwsError(sdkError(name, message), WITH_PROFILE, 'eu-west-1')).toBe(
      `AWS rejected the credentials (profile ops-readonly): ${message}`,
    );
  });

  it('says the table may not be read, with the policy message', () => {
    const message =
      'User: arn:aws:sts::111122223333:assumed-role/ops-readonly/sam.rivera is not authorized to perform: dynamodb:DescribeTable on resource: arn:aws:dynamodb:eu-west-1:111122223333:table/ecslog-audit because no identity-based policy allows the dynamodb:DescribeTable action';

    expect(explainAwsError(sdkError('AccessDeniedException', message), TABLE, 'eu-west-1')).toBe(
      `not allowed to read table ecslog-audit: ${message}`,
    );
  });

  it('names any other error and where it happened', () => {
    const timeout = sdkError('TimeoutError', 'connect ETIMEDOUT 52.94.24.10:443');

    expect(explainAwsError(timeout, WITH_PROFILE, 'eu-west-1')).toBe(
      'cannot reach table ecslog-audit in eu-west-1: TimeoutError: connect ETIMEDOUT 52.94.24.10:443',
    );
  });

  it('explains something thrown that is not an Error by its text', () => {
    expect(explainAwsError('socket hang up', TABLE, 'eu-west-1')).toBe(
      'cannot reach table ecslog-audit in eu-west-1: socket hang up',
    );
  });
});
