/**
 * A loopback server for the two reads the notifier's cold start makes, with the real SDK clients
 * (AWS JSON 1.1 over HTTP, `X-Amz-Target`): Secrets Manager `GetSecretValue` and SSM
 * `GetParameter`. It enforces what the runtime relies on: a secret is found by ARN or name; a
 * SecureString parameter read without `WithDecryption` answers its ciphertext, as SSM does; an
 * unknown id is `ResourceNotFoundException` / `ParameterNotFound` (400).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

export interface LocalParameterServer {
  endpoint: string;
  /** Stores a secret; returns its ARN (with the random suffix Secrets Manager adds). */
  putSecret(name: string, value: string): string;
  /** Stores a SecureString parameter. */
  putSecureParameter(name: string, value: string): void;
  /** Every request's target, in order (`secretsmanager.GetSecretValue`, `AmazonSSM.GetParameter`). */
  readonly targets: readonly string[];
  secretsManagerClient(): SecretsManagerClient;
  ssmClient(): SSMClient;
  stop(): Promise<void>;
}

export async function startParameterServer(): Promise<LocalParameterServer> {
  const secrets = new Map<string, { arn: string; name: string; value: string }>();
  const parameters = new Map<string, string>();
  const targets: string[] = [];

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    targets.push(target);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return answer(response, 400, { __type: 'SerializationException', message: 'not JSON' });
    }
    if (target === 'secretsmanager.GetSecretValue') {
      const id = String(input['SecretId'] ?? '');
      const secret = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
      if (!secret)
        return answer(response, 400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      return answer(response, 200, {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: '7a3c1f7e-1111-4a4a-9b9b-0c0c0c0c0c0c',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_795_000_000,
      });
    }
    if (target === 'AmazonSSM.GetParameter') {
      const name = String(input['Name'] ?? '');
      const value = parameters.get(name);
      if (value === undefined)
        return answer(response, 400, { __type: 'ParameterNotFound', message: '' });
      return answer(response, 200, {
        Parameter: {
          Name: name,
          Type: 'SecureString',
          Value:
            input['WithDecryption'] === true
              ? value
              : `AQICAHh${Buffer.from(value).toString('base64').slice(0, 24)}`,
          Version: 1,
          ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
          DataType: 'text',
        },
      });
    }
    return answer(response, 400, { __type: 'UnknownOperationException', message: target });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const local = {
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  return {
    endpoint,
    putSecret(name, value) {
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Ab12Cd`;
      secrets.set(name, { arn, name, value });
      return arn;
    },
    putSecureParameter(name, value) {
      parameters.set(name, value);
    },
    targets,
    secretsManagerClient: () => new SecretsManagerClient(local),
    ssmClient: () => new SSMClient(local),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
