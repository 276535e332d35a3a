import { createHash } from 'node:crypto';
import type { ReceivedRequest } from './request-signature';
import { checkSignature } from './request-signature';
import { signDynamoDbCall } from './testing/sign-request';

const credentials = { accessKeyId: 'ECSLOG0123456789ABCDEF', secretAccessKey: 's'.repeat(43) };
const SIGNED_AT = new Date('2026-12-01T12:00:00.000Z');
const BODY = '{"TableName":"ecslog-audit"}';

/** A request signed as a client would sign it, with what each case changes. */
async function signed(
  change: { region?: string; service?: string; path?: string; extra?: Record<string, string> } = {},
): Promise<ReceivedRequest> {
  const path = change.path ?? '/';
  const headers = await signDynamoDbCall({
    credentials,
    host: '127.0.0.1:8000',
    target: 'Scan',
    body: BODY,
    signingDate: SIGNED_AT,
    path,
    query: { a: 'b c' },
    region: change.region,
    service: change.service,
    extraHeaders: change.extra,
  });
  return {
    method: 'POST',
    url: `${path}?a=b%20c`,
    headers,
    body: Buffer.from(BODY),
  };
}

const expect5 = (now = SIGNED_AT) => ({
  credentials,
  region: 'us-east-1',
  service: 'dynamodb',
  now,
});

describe('checkSignature', () => {
  it('accepts a request signed with the store credentials, query and all, up to 5 minutes off', async () => {
    const request = await signed();

    expect(await checkSignature(request, expect5())).toEqual({ valid: true });
    expect(await checkSignature(request, expect5(new Date(SIGNED_AT.getTime() + 299_000)))).toEqual(
      { valid: true },
    );
  });

  it.each([
    ['another region', { region: 'eu-west-1' }, 'wrong credential scope'],
    ['another service', { service: 's3' }, 'wrong credential scope'],
  ])('refuses a signature for %s', async (_, change, reason) => {
    expect(await checkSignature(await signed(change), expect5())).toMatchObject({
      valid: false,
      reason,
    });
  });

  it('refuses a signature over 5 minutes old', async () => {
    const late = new Date(SIGNED_AT.getTime() + 301_000);

    expect(await checkSignature(await signed(), expect5(late))).toMatchObject({
      valid: false,
      code: 'InvalidSignatureException',
    });
  });

  it('refuses a request whose path, query or a signed header changed after signing', async () => {
    const request = await signed();
    const changes: ReceivedRequest[] = [
      { ...request, url: '/other?a=b%20c' },
      { ...request, url: '/?a=d' },
      {
        ...request,
        headers: { ...request.headers, 'x-amz-target': 'DynamoDB_20120810.DeleteTable' },
      },
      { ...request, method: 'PUT' },
    ];

    for (const changed of changes)
      expect(await checkSignature(changed, expect5())).toEqual({
        valid: false,
        code: 'InvalidSignatureException',
        reason: 'signature does not match',
      });
  });

  it('refuses a body that does not match its declared hash, even with the hash signed', async () => {
    const hash = createHash('sha256').update(BODY).digest('hex');
    const request = await signed({ extra: { 'x-amz-content-sha256': hash } });

    expect(await checkSignature(request, expect5())).toEqual({ valid: true });
    expect(
      await checkSignature({ ...request, body: Buffer.from('{"TableName":"x"}') }, expect5()),
    ).toMatchObject({ valid: false, reason: 'body does not match x-amz-content-sha256' });
  });

  it('refuses presigned URLs, a missing date and an unsigned Host', async () => {
    const request = await signed();
    const authorization = String(request.headers['authorization']);

    expect(
      await checkSignature({ ...request, url: '/?X-Amz-Signature=00' }, expect5()),
    ).toMatchObject({ valid: false, code: 'MissingAuthenticationTokenException' });
    const { 'x-amz-date': _date, ...undated } = request.headers;
    expect(await checkSignature({ ...request, headers: undated }, expect5())).toMatchObject({
      valid: false,
      reason: 'x-amz-date is missing or malformed',
    });
    const hostless = authorization.replace(
      'SignedHeaders=content-type;host;',
      'SignedHeaders=content-type;',
    );
    expect(hostless).not.toBe(authorization);
    expect(
      await checkSignature(
        { ...request, headers: { ...request.headers, authorization: hostless } },
        expect5(),
      ),
    ).toMatchObject({ valid: false, reason: 'host and x-amz-date must be signed' });
  });
});
