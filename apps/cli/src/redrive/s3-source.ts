import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readParkedMessage } from '@ecslog/ingest-pipeline';
import type { ParkedItem, ParkedSource } from './parked-source';

export interface S3SourceOptions {
  client: S3Client;
  bucket: string;
  /** Only keys under it (default: the whole bucket). */
  prefix?: string;
}

/** Objects read at once: one page of the replay. */
const OBJECTS_PER_PAGE = 25;

/**
 * The bucket a Kinesis event-source mapping's on-failure destination writes to: one object per
 * failed batch (`aws/lambda/<mapping>/<shard>/YYYY/MM/DD/…`), each an invocation record with the
 * batch in `payload`.
 */
export function createS3Source(options: S3SourceOptions): ParkedSource {
  const { client, bucket, prefix = '' } = options;
  return {
    description: `bucket s3://${bucket}/${prefix}`,
    async *pages() {
      let token: string | undefined;
      do {
        const listing = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (listing.Contents ?? [])
          .map((object) => object.Key ?? '')
          .filter((key) => key !== '' && !key.endsWith('/'));
        for (let start = 0; start < keys.length; start += OBJECTS_PER_PAGE) {
          const items: ParkedItem[] = [];
          for (const key of keys.slice(start, start + OBJECTS_PER_PAGE)) {
            const label = `s3://${bucket}/${key}`;
            const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            const body = (await object.Body?.transformToString('utf8')) ?? '';
            items.push({
              label,
              reading: readParkedMessage(body, label),
              release: async () => {
                await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
              },
            });
          }
          yield items;
        }
        token = listing.NextContinuationToken;
      } while (token);
    },
    finish: async () => undefined,
  };
}
