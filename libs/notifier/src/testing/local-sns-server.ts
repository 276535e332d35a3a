import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * A loopback stand-in for Amazon SNS's Publish, for tests of the real `@aws-sdk/client-sns`
 * client (it speaks the AWS query protocol in this SDK version: a form-encoded POST, an XML
 * answer). It enforces Publish's contract, and nothing more:
 *
 * - `POST /`, `content-type: application/x-www-form-urlencoded`, a SigV4 `authorization` header
 *   scoped to `sns`, `Action=Publish` (any other action is InvalidAction), `Version=2010-03-31`;
 * - `TopicArn` of a topic created with {@link LocalSnsServer.createTopic} (NotFound otherwise);
 * - `Message` present and non-empty; message and attributes at most 262,144 bytes together;
 * - `Subject` at most 100 characters, printable ASCII, no line breaks or control characters;
 * - `MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}`: at most 10, names of
 *   letters, digits, `_`, `-`, `.` (at most 256; not starting with `AWS.`/`Amazon.`, no `..`),
 *   DataType `String`/`Number`/`Binary`/`String.Array`, a non-empty value;
 * - FIFO topics (`….fifo`): `MessageGroupId` required and `MessageDeduplicationId` required
 *   (no content-based deduplication here), both ≤ 128 characters; a deduplication id seen in
 *   the last 5 minutes is accepted and not published again, as SNS does.
 *
 * Errors are `<ErrorResponse>` XML with SNS's codes and statuses.
 */
export interface LocalSnsServer {
  endpoint: string;
  /** Creates a topic and returns its ARN (`arn:aws:sns:us-east-1:111122223333:<name>`). */
  createTopic(name: string): string;
  /** The messages published to a topic, in order (a FIFO duplicate is not published again). */
  published(topicArn: string): PublishedMessage[];
  /** Every Publish request received, accepted or not. */
  readonly requestCount: number;
  /** Answers the next Publish requests with these errors (then normally). */
  failNext(...errors: { status: number; code: string }[]): void;
  stop(): Promise<void>;
}

export interface PublishedMessage {
  messageId: string;
  subject?: string;
  message: string;
  attributes: Record<string, { dataType: string; value: string }>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export const SNS_MESSAGE_LIMIT_BYTES = 262_144;
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const DATA_TYPES = /^(?:String|Number|Binary|String\.Array)(?:\.[\w.-]+)?$/;

interface SnsError {
  status: number;
  code: string;
  message: string;
}

export interface LocalSnsServerOptions {
  /** Epoch ms (default Date.now), for the FIFO deduplication window. */
  now?: () => number;
}

export async function startSnsServer(options: LocalSnsServerOptions = {}): Promise<LocalSnsServer> {
  const now = options.now ?? Date.now;
  const topics = new Map<string, PublishedMessage[]>();
  /** FIFO deduplication ids: topic → id → when first seen and the message id answered. */
  const seen = new Map<string, Map<string, { at: number; messageId: string }>>();
  const injected: { status: number; code: string }[] = [];
  let requestCount = 0;

  const publish = (form: URLSearchParams): SnsError | { messageId: string } => {
    const topicArn = form.get('TopicArn');
    if (topicArn === null) return invalid('TopicArn Reason: no value for required parameter');
    const topic = topics.get(topicArn);
    if (!topic) return { status: 404, code: 'NotFound', message: 'Topic does not exist' };
    const message = form.get('Message');
    if (message === null || message === '')
      return invalid('Message Reason: Empty message', 'InvalidParameter');
    const subject = form.get('Subject');
    if (subject !== null) {
      if (subject.length === 0 || subject.length > 100)
        return invalid('Subject Reason: must be 1 to 100 characters');
      if (!/^[\x20-\x7e]+$/.test(subject))
        return invalid(
          'Subject Reason: must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters',
        );
    }
    const parsed = attributesOf(form);
    if ('error' in parsed) return parsed.error;
    const { attributes } = parsed;
    const size =
      Buffer.byteLength(message) +
      Object.entries(attributes).reduce(
        (sum, [name, { dataType, value }]) =>
          sum + Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(value),
        0,
      );
    if (size > SNS_MESSAGE_LIMIT_BYTES)
      return invalid(`Message too long: ${size} bytes, at most ${SNS_MESSAGE_LIMIT_BYTES}`);
    const groupId = form.get('MessageGroupId') ?? undefined;
    const deduplicationId = form.get('MessageDeduplicationId') ?? undefined;
    const fifo = topicArn.endsWith('.fifo');
    if (fifo && groupId === undefined)
      return invalid('The MessageGroupId parameter is required for FIFO topics');
    if (fifo && deduplicationId === undefined)
      return invalid(
        'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    for (const [parameter, value] of [
      ['MessageGroupId', groupId],
      ['MessageDeduplicationId', deduplicationId],
    ] as const)
      if (value !== undefined && (value.length > 128 || !/^[\x21-\x7e]+$/.test(value)))
        return invalid(`${parameter} Reason: at most 128 alphanumeric or punctuation characters`);
    if (fifo && deduplicationId !== undefined) {
      const ids = seen.get(topicArn) ?? new Map<string, { at: number; messageId: string }>();
      seen.set(topicArn, ids);
      const earlier = ids.get(deduplicationId);
      if (earlier && now() - earlier.at < DEDUPLICATION_WINDOW_MS)
        return { messageId: earlier.messageId };
      ids.set(deduplicationId, { at: now(), messageId: randomUUID() });
    }
    const messageId =
      fifo && deduplicationId !== undefined
        ? (seen.get(topicArn)?.get(deduplicationId)?.messageId ?? randomUUID())
        : randomUUID();
    topic.push({
      messageId,
      ...(subject !== null && { subject }),
      message,
      attributes,
      ...(groupId !== undefined && { messageGroupId: groupId }),
      ...(deduplicationId !== undefined && { messageDeduplicationId: deduplicationId }),
    });
    return { messageId };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const requestId = randomUUID();
    const reply = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      response.end(xml);
    };
    const fail = (error: SnsError) =>
      reply(
        error.status,
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    if (request.method !== 'POST' || request.url !== '/')
      return fail({ status: 400, code: 'InvalidAction', message: 'Only POST / is supported.' });
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return fail(invalid('content-type must be application/x-www-form-urlencoded'));
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/sns\/aws4_request/.test(
        String(request.headers.authorization ?? ''),
      )
    )
      return fail({
        status: 403,
        code: 'MissingAuthenticationToken',
        message: 'Request is missing a SigV4 signature for sns.',
      });
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'Publish')
      return fail({
        status: 400,
        code: 'InvalidAction',
        message: `This server supports Publish only, got ${String(form.get('Action'))}.`,
      });
    if (form.get('Version') !== '2010-03-31')
      return fail(invalid(`Version must be 2010-03-31, got ${String(form.get('Version'))}`));
    requestCount += 1;
    const error = injected.shift();
    if (error) return fail({ ...error, message: `injected ${error.code}` });
    const result = publish(form);
    if ('status' in result) return fail(result);
    reply(
      200,
      `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${result.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    endpoint,
    createTopic(name) {
      const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
      topics.set(arn, []);
      return arn;
    },
    published: (topicArn) => [...(topics.get(topicArn) ?? [])],
    get requestCount() {
      return requestCount;
    },
    failNext: (...errors) => {
      injected.push(...errors);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An SNS client for the local server: dummy credentials, one attempt. */
export function localSnsClient(endpoint: string): SNSClient {
  return new SNSClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

function invalid(message: string, code = 'InvalidParameter'): SnsError {
  return { status: 400, code, message: `Invalid parameter: ${message}` };
}

/** `MessageAttributes.entry.N.*` of a Publish request, checked. */
function attributesOf(
  form: URLSearchParams,
): { error: SnsError } | { attributes: Record<string, { dataType: string; value: string }> } {
  const attributes: Record<string, { dataType: string; value: string }> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form.get(`${prefix}.Name`) ?? '';
    const dataType = form.get(`${prefix}.Value.DataType`);
    const value =
      form.get(`${prefix}.Value.StringValue`) ?? form.get(`${prefix}.Value.BinaryValue`);
    if (
      !/^[\w.-]{1,256}$/.test(name) ||
      /^(?:AWS\.|Amazon\.)/i.test(name) ||
      name.includes('..') ||
      name.startsWith('.') ||
      name.endsWith('.')
    )
      return {
        error: invalid(`MessageAttributes Reason: invalid attribute name ${JSON.stringify(name)}`),
      };
    if (dataType === null || !DATA_TYPES.test(dataType))
      return {
        error: invalid(`MessageAttributes Reason: attribute ${name} has an invalid DataType`),
      };
    if (value === null || value === '')
      return {
        error: invalid(`MessageAttributes Reason: attribute ${name} must have a non-empty value`),
      };
    if (name in attributes)
      return { error: invalid(`MessageAttributes Reason: attribute ${name} is given twice`) };
    attributes[name] = { dataType, value };
  }
  if (Object.keys(attributes).length > 10)
    return { error: invalid('MessageAttributes Reason: at most 10 message attributes') };
  return { attributes };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
