/**
 * Signing as an AWS client signs (with @smithy/signature-v4, independently of the guard's own
 * code), for the specs of the request check and of the guard.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** Node's crypto in the shape SignatureV4 expects of a hash (HMAC when given a secret). */
export class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

export interface DynamoDbCall {
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The Host header. */
  host: string;
  /** The DynamoDB operation, e.g. 'Scan'. */
  target: string;
  body: string;
  signingDate: Date;
  region?: string;
  service?: string;
  path?: string;
  query?: Record<string, string>;
  /** Further headers, signed with the rest. */
  extraHeaders?: Record<string, string>;
}

/** The headers of a DynamoDB JSON call to 127.0.0.1, signed with SigV4 as the SDK signs it. */
export async function signDynamoDbCall(call: DynamoDbCall): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: call.credentials,
    region: call.region ?? 'us-east-1',
    service: call.service ?? 'dynamodb',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: call.path ?? '/',
      query: call.query,
      headers: {
        host: call.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${call.target}`,
        ...call.extraHeaders,
      },
      body: call.body,
    },
    { signingDate: call.signingDate },
  );
  return signed.headers;
}
