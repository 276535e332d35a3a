import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * A loopback stand-in for Amazon SQS's SendMessage, ReceiveMessage, DeleteMessage and
 * ChangeMessageVisibility, for tests of the real `@aws-sdk/client-sqs` client (there is no SQS
 * emulator on npm to rely on). It enforces the contract of the AWS JSON 1.0 protocol the SDK
 * speaks — and nothing more:
 *
 * - `POST /`, `content-type: application/x-amz-json-1.0`, `x-amz-target: AmazonSQS.<operation>`
 *   (any other operation is UnknownOperationException), a SigV4 `authorization` header scoped to
 *   `sqs`;
 * - `QueueUrl` must be a queue created with {@link LocalSqsServer.createQueue}
 *   (QueueDoesNotExist otherwise);
 * - SendMessage: `MessageBody` present and non-empty, at most 1 MiB (1,048,576 bytes, UTF-8)
 *   together with its message attributes, and only XML characters (#x9 #xA #xD #x20–#xD7FF
 *   #xE000–#xFFFD #x10000–#x10FFFF): InvalidParameterValue, MissingParameter,
 *   InvalidMessageContents; `DelaySeconds` 0–900; the reply is `{ MessageId, MD5OfMessageBody }`
 *   with the MD5 of the body's UTF-8 bytes, which the SDK checks;
 * - ReceiveMessage: `MaxNumberOfMessages` 1–10 (default 1), `VisibilityTimeout` 0–43,200 s
 *   (default the queue's 30 s), `WaitTimeSeconds` 0–20 (answered at once: nothing else can send
 *   while a test waits); returns visible messages oldest first, each with a new `ReceiptHandle`,
 *   `MD5OfBody` (checked by the SDK) and, when asked, `ApproximateReceiveCount`; a received
 *   message is invisible until its timeout passes, then received again;
 * - DeleteMessage / ChangeMessageVisibility: a receipt handle never issued is
 *   ReceiptHandleIsInvalid; as in SQS, only the latest handle of a message acts — an older one's
 *   delete succeeds without deleting; changing the visibility of a message not in flight is
 *   MessageNotInflight; `VisibilityTimeout` 0–43,200 s (0 makes it visible at once).
 *
 * Errors are `{ __type, message }` with SQS's query-compatible error header.
 */
export interface LocalSqsServer {
  endpoint: string;
  /** Creates a standard queue and returns its URL (`<endpoint>/<account>/<name>`). */
  createQueue(name: string): string;
  /** The bodies of a queue's messages not deleted, in the order they were sent. */
  messages(queueUrl: string): string[];
  /** How many of a queue's messages are received and not yet visible again. */
  inFlight(queueUrl: string): number;
  /** Every SendMessage request received, accepted or not. */
  readonly requestCount: number;
  /** Requests by operation (`ReceiveMessage`, `DeleteMessage`, …), accepted or not. */
  readonly operations: Readonly<Record<string, number>>;
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

/** One message of a queue. */
interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms until which it is in flight (0: visible). */
  invisibleUntil: number;
  /** Only the latest receipt handle deletes or changes visibility. */
  latestHandle?: string;
  deleted: boolean;
}

export interface LocalSqsServerOptions {
  /** Epoch ms (default Date.now): lets a test pass visibility timeouts without waiting. */
  now?: () => number;
}

/** SQS's default visibility timeout of a queue, and the longest one allowed. */
const DEFAULT_VISIBILITY_SECONDS = 30;
const MAX_VISIBILITY_SECONDS = 43_200;

export async function startLocalSqsServer(
  options: LocalSqsServerOptions = {},
): Promise<LocalSqsServer> {
  const now = options.now ?? Date.now;
  const queues = new Map<string, StoredMessage[]>();
  /** Every receipt handle issued: its queue and message. */
  const handles = new Map<string, { queueUrl: string; message: StoredMessage }>();
  const operations: Record<string, number> = {};
  let requestCount = 0;
  let corruptMd5 = false;
  let endpoint = '';

  const queueOf = (input: Record<string, unknown>): SqsError | StoredMessage[] => {
    const { QueueUrl } = input;
    if (typeof QueueUrl !== 'string')
      return invalid('MissingParameter', 'The request must contain the parameter QueueUrl.');
    return (
      queues.get(QueueUrl) ?? {
        status: 400,
        type: 'com.amazonaws.sqs#QueueDoesNotExist',
        queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
        message: 'The specified queue does not exist.',
      }
    );
  };

  const sendMessage = (input: Record<string, unknown>): SqsError | Record<string, unknown> => {
    const { MessageBody, DelaySeconds, MessageAttributes } = input;
    const queue = queueOf(input);
    if (!Array.isArray(queue)) return queue;
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
    queue.push({
      messageId: randomUUID(),
      body: MessageBody,
      receiveCount: 0,
      invisibleUntil: typeof DelaySeconds === 'number' ? now() + DelaySeconds * 1000 : 0,
      deleted: false,
    });
    const md5 = createHash('md5').update(corruptMd5 ? `${MessageBody}!` : MessageBody, 'utf8');
    corruptMd5 = false;
    return { MessageId: queue.at(-1)?.messageId, MD5OfMessageBody: md5.digest('hex') };
  };

  const receiveMessage = (input: Record<string, unknown>): SqsError | Record<string, unknown> => {
    const queue = queueOf(input);
    if (!Array.isArray(queue)) return queue;
    const max = input['MaxNumberOfMessages'] ?? 1;
    if (!isIntegerIn(max, 1, 10))
      return invalid(
        'InvalidParameterValue',
        `Value ${String(max)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    const visibility = input['VisibilityTimeout'] ?? DEFAULT_VISIBILITY_SECONDS;
    if (!isIntegerIn(visibility, 0, MAX_VISIBILITY_SECONDS))
      return invalid(
        'InvalidParameterValue',
        `Value ${String(visibility)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      );
    const wait = input['WaitTimeSeconds'] ?? 0;
    if (!isIntegerIn(wait, 0, 20))
      return invalid(
        'InvalidParameterValue',
        `Value ${String(wait)} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    const names = [
      ...((input['AttributeNames'] as unknown[] | undefined) ?? []),
      ...((input['MessageSystemAttributeNames'] as unknown[] | undefined) ?? []),
    ];
    const withCount = names.includes('All') || names.includes('ApproximateReceiveCount');
    const at = now();
    const received = queue
      .filter((message) => !message.deleted && message.invisibleUntil <= at)
      .slice(0, max as number);
    const messages = received.map((message) => {
      const handle = randomUUID();
      message.receiveCount += 1;
      message.invisibleUntil = at + (visibility as number) * 1000;
      message.latestHandle = handle;
      handles.set(handle, { queueUrl: String(input['QueueUrl']), message });
      return {
        MessageId: message.messageId,
        ReceiptHandle: handle,
        MD5OfBody: createHash('md5').update(message.body, 'utf8').digest('hex'),
        Body: message.body,
        ...(withCount
          ? { Attributes: { ApproximateReceiveCount: String(message.receiveCount) } }
          : {}),
      };
    });
    // SQS leaves Messages out of an empty answer.
    return messages.length > 0 ? { Messages: messages } : {};
  };

  /** The message a receipt handle names, or ReceiptHandleIsInvalid. */
  const handleOf = (input: Record<string, unknown>): SqsError | StoredMessage | 'outdated' => {
    const queue = queueOf(input);
    if (!Array.isArray(queue)) return queue;
    const handle = input['ReceiptHandle'];
    if (typeof handle !== 'string')
      return invalid('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const issued = handles.get(handle);
    if (!issued || issued.queueUrl !== input['QueueUrl'])
      return {
        status: 400,
        type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
        queryCode: 'ReceiptHandleIsInvalid',
        message: `The input receipt handle "${handle}" is not a valid receipt handle.`,
      };
    return issued.message.latestHandle === handle ? issued.message : 'outdated';
  };

  const deleteMessage = (input: Record<string, unknown>): SqsError | Record<string, unknown> => {
    const message = handleOf(input);
    if (message === 'outdated') return {};
    if ('status' in message) return message;
    message.deleted = true;
    return {};
  };

  const changeMessageVisibility = (
    input: Record<string, unknown>,
  ): SqsError | Record<string, unknown> => {
    const visibility = input['VisibilityTimeout'];
    if (visibility === undefined)
      return invalid(
        'MissingParameter',
        'The request must contain the parameter VisibilityTimeout.',
      );
    if (!isIntegerIn(visibility, 0, MAX_VISIBILITY_SECONDS))
      return invalid(
        'InvalidParameterValue',
        `Value ${String(visibility)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    const message = handleOf(input);
    if (message !== 'outdated' && 'status' in message) return message;
    if (message === 'outdated' || message.deleted || message.invisibleUntil <= now())
      return {
        status: 400,
        type: 'com.amazonaws.sqs#MessageNotInflight',
        queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
        message: 'Message does not exist or is not available for visibility timeout change.',
      };
    message.invisibleUntil = now() + (visibility as number) * 1000;
    return {};
  };

  const OPERATIONS: Record<
    string,
    (input: Record<string, unknown>) => SqsError | Record<string, unknown>
  > = {
    'AmazonSQS.SendMessage': sendMessage,
    'AmazonSQS.ReceiveMessage': receiveMessage,
    'AmazonSQS.DeleteMessage': deleteMessage,
    'AmazonSQS.ChangeMessageVisibility': changeMessageVisibility,
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
    const operation = typeof target === 'string' ? OPERATIONS[target] : undefined;
    if (!operation)
      return fail({
        status: 400,
        type: 'com.amazonaws.sqs#UnknownOperationException',
        queryCode: 'UnknownOperation',
        message: `This server supports ${Object.keys(OPERATIONS).join(', ')} only, got ${String(target)}.`,
      });
    const name = String(target).slice('AmazonSQS.'.length);
    operations[name] = (operations[name] ?? 0) + 1;
    if (name === 'SendMessage') requestCount += 1;
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return fail(invalid('SerializationException', 'The request body is not JSON.'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return fail(invalid('SerializationException', 'The request body is not a JSON object.'));
    const result = operation(input as Record<string, unknown>);
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
      return (queues.get(queueUrl) ?? []).filter((m) => !m.deleted).map((m) => m.body);
    },
    inFlight(queueUrl) {
      const at = now();
      return (queues.get(queueUrl) ?? []).filter((m) => !m.deleted && m.invisibleUntil > at).length;
    },
    get requestCount() {
      return requestCount;
    },
    get operations() {
      return { ...operations };
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

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
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
