/**
 * The audit table in AWS (`--table NAME --region R [--profile P]`), checked before any work: a
 * missing table or missing credentials is one clear line, not a stack trace.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAuditReader } from '@ecslog/audit-store';
import type { AuditStoreConnection } from './audit-store-connection';
import { StoreUnavailableError } from './audit-store-connection';

export interface AwsTableOptions {
  table: string;
  /** Default: the SDK's (AWS_REGION, the profile's region). */
  region?: string;
  profile?: string;
}

export async function openAwsStore(options: AwsTableOptions): Promise<AuditStoreConnection> {
  const client = new DynamoDBClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  let region = options.region ?? '?';
  try {
    region = await client.config.region();
    await client.send(new DescribeTableCommand({ TableName: options.table }));
  } catch (error) {
    client.destroy();
    throw new StoreUnavailableError(explainAwsError(error, options, region), { cause: error });
  }
  return {
    kind: 'aws',
    client,
    tableName: options.table,
    reader: createAuditReader({ client, tableName: options.table }),
    description: `table ${options.table} in ${region}`,
    close: async () => client.destroy(),
  };
}

/** One line saying what is wrong with reaching the table and what to do. */
export function explainAwsError(error: unknown, options: AwsTableOptions, region: string): string {
  const { name = '', message = String(error) } = (error ?? {}) as {
    name?: string;
    message?: string;
  };
  const profile = options.profile ? ` (profile ${options.profile})` : '';
  if (
    name === 'CredentialsProviderError' ||
    (/credential/i.test(message) && /could not|missing|unable/i.test(message))
  )
    return `no AWS credentials found${profile}: configure a profile (aws configure, aws sso login) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  if (/region is missing/i.test(message)) return 'no AWS region: pass --region or set AWS_REGION';
  if (name === 'ResourceNotFoundException')
    return `table ${options.table} not found in ${region}${profile}: check --table and --region`;
  if (
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException'
  )
    return `AWS rejected the credentials${profile}: ${message}`;
  if (name === 'AccessDeniedException')
    return `not allowed to read table ${options.table}${profile}: ${message}`;
  return `cannot reach table ${options.table} in ${region}: ${name ? `${name}: ` : ''}${message}`;
}
