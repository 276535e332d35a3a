import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * A loopback stand-in for Amazon SQS's SendMessage, for tests of the real `@aws-sdk/client-sqs`
 * client (there is no SQS emulator on npm to rely on). It enforces the contract of the AWS JSON 1.0
 * protocol the SDK speaks — and nothing more:
 *
 * - `POST /`, `content-type: application/x-amz-json-1.0`, `x-amz-target: AmazonSQS.SendMessage`
 *   (any other operation is UnknownOperationException), a SigV4 `authorization` header scoped to
 *   `sqs`;
 * - `QueueUrl` must be a queue created with {@link LocalSqsServer.createQueue}
 *   (QueueDoesNotExist otherwise);
 * - `MessageBody` present and non-empty, at most 1 MiB (1,048,576 bytes, UTF-8) together with
 *   its message attributes, and only XML characters (#x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD
 *   #x10000–#x10FFFF): InvalidParameterValue, MissingParameter, InvalidMessageContents;
 *   `DelaySeconds` 0–900;
 * - the reply is `{ MessageId, MD5OfMessageBody }` with the MD5 of the body's UTF-8 bytes, which
 *   the SDK checks. Errors are `{ __type, message }` with SQS's query-compatible error header.
 */
export interface LocalSqsServer {
  endpoint: string;
  /** Creates a standard queue and returns its URL (`<endpoint>/<account>/<name>`). */
  createQueue(name: string): string;
  /** The bodies accepted for a queue, in order. */
  messages(queueUrl: string): string[];
  /** Every SendMessage request received, accepted or not. */
  readonly requestCount: number;
  /** Answers the next SendMessage with a wrong MD5 (to show that the SDK checks it). */
  corruptNextMd5(): void;
  stop(): Promise<void>;
}

export const SQS_MESSAGE_LIMIT_BYTES = 1_048_576;
const ACCOUNT = '111122223333';
const JSON_1_0 = 'application/x-amz-json-1.0';
/** Characters SQS rejects in a message: outside the XML character ranges. */
const NON_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface SqsError {
  status: number;
  type: string;
  queryCode: string;
  message: string;
}

export async function startLocalSqsServer(): Promise<LocalSqsServer> {
  const queues = new Map<string, string[]>();
  let requestCount = 0;
  let corruptMd5 = false;
  let endpoint = '';

  const sendMessage = (input: Record<string, unknown>): SqsError | Record<string, string> => {
    const { QueueUrl, MessageBody, DelaySeconds, MessageAttributes } = input;
    if (typeof QueueUrl !== 'string')
      return invalid('MissingParameter', 'The request must contain the parameter QueueUrl.');
    const queue = queues.get(QueueUrl);
    if (!queue)
      return {
        status: 400,
        type: 'com.amazonaws.sqs#QueueDoesNotExist',
        queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
        message: 'The specified queue does not exist.',
      };
    if (MessageBody === undefined || MessageBody === null)
      return invalid('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (typeof MessageBody !== 'string')
      return invalid('InvalidParameterValue', 'MessageBody must be a string.');
    if (MessageBody.length === 0)
      return invalid(
        'InvalidParameterValue',
        'Value for parameter MessageBody is invalid. Reason: Empty message.',
      );
    const size = Buffer.byteLength(MessageBody, 'utf8') + attributesSize(MessageAttributes);
    if (size > SQS_MESSAGE_LIMIT_BYTES)
      return invalid(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${SQS_MESSAGE_LIMIT_BYTES} bytes.`,
      );
    if (NON_XML.test(MessageBody))
      return invalid(
        'InvalidMessageContents',
        'Invalid binary character in the message body: see the allowed character list.',
      );
    if (
      DelaySeconds !== undefined &&
      (!Number.isInteger(DelaySeconds) ||
        (DelaySeconds as number) < 0 ||
        (DelaySeconds as number) > 900)
    )
      return invalid('InvalidParameterValue', 'DelaySeconds must be from 0 to 900.');
    queue.push(MessageBody);
    const md5 = createHash('md5').update(corruptMd5 ? `${MessageBody}!` : MessageBody, 'utf8');
    corruptMd5 = false;
    return { MessageId: randomUUID(), MD5OfMessageBody: md5.digest('hex') };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const reply = (status: number, payload: unknown, queryCode?: string) => {
      response.statusCode = status;
      response.setHeader('content-type', JSON_1_0);
      response.setHeader('x-amzn-requestid', randomUUID());
      if (queryCode) response.setHeader('x-amzn-query-error', `${queryCode};Sender`);
      response.end(JSON.stringify(payload));
    };
    const fail = (error: SqsError) =>
      reply(error.status, { __type: error.type, message: error.message }, error.queryCode);

    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || request.url !== '/')
      return fail(invalid('InvalidAction', 'Only POST / is supported.'));
    if (request.headers['content-type'] !== JSON_1_0)
      return fail(invalid('InvalidParameterValue', `content-type must be ${JSON_1_0}`));
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/sqs\/aws4_request/.test(
        String(request.headers.authorization ?? ''),
      )
    )
      return fail({
        status: 403,
        type: 'com.amazonaws.sqs#MissingAuthenticationToken',
        queryCode: 'MissingAuthenticationToken',
        message: 'Request is missing a SigV4 signature for sqs.',
      });
    if (target !== 'AmazonSQS.SendMessage')
      return fail({
        status: 400,
        type: 'com.amazonaws.sqs#UnknownOperationException',
        queryCode: 'UnknownOperation',
        message: `This server supports AmazonSQS.SendMessage only, got ${String(target)}.`,
      });
    requestCount += 1;
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return fail(invalid('SerializationException', 'The request body is not JSON.'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return fail(invalid('SerializationException', 'The request body is not a JSON object.'));
    const result = sendMessage(input as Record<string, unknown>);
    if ('status' in result && typeof result.status === 'number') return fail(result as SqsError);
    return reply(200, result);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    endpoint,
    createQueue(name) {
      const url = `${endpoint}/${ACCOUNT}/${name}`;
      queues.set(url, []);
      return url;
    },
    messages(queueUrl) {
      return [...(queues.get(queueUrl) ?? [])];
    },
    get requestCount() {
      return requestCount;
    },
    corruptNextMd5() {
      corruptMd5 = true;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An SQS client for the local server: dummy credentials, one attempt. */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

function invalid(code: string, message: string): SqsError {
  return {
    status: 400,
    type: `com.amazonaws.sqs#${code}`,
    queryCode: code,
    message,
  };
}

/** SQS counts each attribute's name, data type and value towards the message size. */
function attributesSize(attributes: unknown): number {
  if (typeof attributes !== 'object' || attributes === null) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(
    attributes as Record<string, Record<string, unknown>>,
  )) {
    size += Buffer.byteLength(name);
    size += Buffer.byteLength(String(value['DataType'] ?? ''));
    if (typeof value['StringValue'] === 'string') size += Buffer.byteLength(value['StringValue']);
    if (typeof value['BinaryValue'] === 'string')
      size += Buffer.from(value['BinaryValue'], 'base64').length;
  }
  return size;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
