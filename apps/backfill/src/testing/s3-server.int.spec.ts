import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { startS3rver } from './s3-server';

describe('startS3rver', () => {
  it('serves paginated and delimited ListObjectsV2 as S3 does, and stop removes its folder', async () => {
    const s3 = await startS3rver({ buckets: ['b'] });
    try {
      const keys = ['a/1/x.json', 'a/2/y.json', 'b/3/z.json', 'top.json'];
      for (const key of keys)
        await s3.client.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: key }));

      // Truncated pages need s3rver's DES continuation token: the child's legacy provider.
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await s3.client.send(
          new ListObjectsV2Command({ Bucket: 'b', MaxKeys: 1, ContinuationToken: token }),
        );
        pages.push((page.Contents ?? []).map((o) => o.Key as string));
        token = page.NextContinuationToken;
      } while (token);
      // Prefixes of keys two levels down, which s3rver 3.7.1 alone does not find.
      const top = await s3.client.send(new ListObjectsV2Command({ Bucket: 'b', Delimiter: '/' }));
      const nested = await s3.client.send(
        new ListObjectsV2Command({ Bucket: 'b', Prefix: 'a/', Delimiter: '/' }),
      );

      expect(pages).toEqual(keys.map((key) => [key]));
      expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
      expect(top.Contents?.map((o) => o.Key)).toEqual(['top.json']);
      expect(nested.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/1/', 'a/2/']);
      expect(existsSync(s3.directory)).toBe(true);
    } finally {
      await s3.stop();
    }
    expect(existsSync(s3.directory)).toBe(false);
  });
});
