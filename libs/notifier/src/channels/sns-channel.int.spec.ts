/**
 * The SNS channel through the real `@aws-sdk/client-sns` client against a loopback server that
 * checks the Publish request as SNS does (query protocol in this SDK version).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { renderSnsMessage } from '@ecslog/incidents';
import type { LocalSnsServer } from '../testing';
import { incidentMessageFixture, localSnsClient, startSnsServer } from '../testing';
import { ChannelConfigError, ChannelError } from './channel-error';
import { createSnsChannel, snsSubjectOf } from './sns-channel';

async function failureOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('SNS channel', () => {
  let server: LocalSnsServer;
  let client: SNSClient;

  beforeAll(async () => {
    server = await startSnsServer();
    client = localSnsClient(server.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('publishes the rendered subject and body with the messageId as a message attribute', async () => {
    const topicArn = server.createTopic('ecslog-incidents');
    const message = incidentMessageFixture('opened');
    const channel = createSnsChannel({ client, topicArn });

    await channel.send(message);

    const { subject, body } = renderSnsMessage(message);
    expect(server.published(topicArn)).toEqual([
      {
        messageId: expect.any(String),
        subject: snsSubjectOf(subject),
        message: body,
        attributes: {
          messageId: { dataType: 'String', value: message.messageId },
          kind: { dataType: 'String', value: 'opened' },
          incidentKind: { dataType: 'String', value: 'failure' },
          group: { dataType: 'String', value: 'family:nightly-report' },
        },
      },
    ]);
    expect(channel.name).toBe('sns');
  });

  it('on a FIFO topic, one group per incident and a deduplication id per message: a retry is published once', async () => {
    const topicArn = server.createTopic('ecslog-incidents.fifo');
    const opened = incidentMessageFixture('opened');
    const resolved = incidentMessageFixture('resolved', {
      incident: { status: 'resolved', resolvedAt: '2026-11-30T03:05:00.000Z' },
    });
    const channel = createSnsChannel({ client, topicArn, name: 'sns-fifo' });

    await channel.send(opened);
    await channel.send(opened);
    await channel.send(resolved);

    const published = server.published(topicArn);
    expect(published.map((p) => p.attributes['messageId']?.value)).toEqual([
      opened.messageId,
      resolved.messageId,
    ]);
    expect(published[0]?.messageGroupId).toMatch(/^[0-9a-f]{64}$/);
    expect(published[1]?.messageGroupId).toBe(published[0]?.messageGroupId);
    expect(published[0]?.messageDeduplicationId).not.toBe(published[1]?.messageDeduplicationId);
  });

  it.each([
    [{ status: 500, code: 'InternalError' }, true],
    [{ status: 429, code: 'Throttled' }, true],
    [{ status: 403, code: 'AuthorizationError' }, false],
    [{ status: 400, code: 'InvalidParameter' }, false],
  ])('an answered %o is a ChannelError, retryable: %s', async (injected, retryable) => {
    const topicArn = server.createTopic(`failing-${injected.status}`);
    server.failNext(injected);
    const channel = createSnsChannel({ client, topicArn });

    const error = await failureOf(channel.send(incidentMessageFixture()));

    expect(error).toMatchObject({ channel: 'sns', status: injected.status, retryable });
    expect(error.message).toContain(`Publish to ${topicArn} failed: ${injected.code}`);
    expect(server.published(topicArn)).toEqual([]);
  });

  it('a topic that does not exist is NotFound, not retryable', async () => {
    const topicArn = 'arn:aws:sns:us-east-1:111122223333:never-created';
    const error = await failureOf(
      createSnsChannel({ client, topicArn }).send(incidentMessageFixture()),
    );
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain('NotFound');
  });

  it('a server that is gone is a retryable network failure', async () => {
    const gone = await startSnsServer();
    const topicArn = gone.createTopic('gone');
    await gone.stop();
    const goneClient = localSnsClient(gone.endpoint);

    const error = await failureOf(
      createSnsChannel({ client: goneClient, topicArn }).send(incidentMessageFixture()),
    );

    goneClient.destroy();
    expect(error).toMatchObject({ retryable: true, status: undefined });
  });

  it.each([
    ['OOM: nightly-report in prod-batch', 'OOM: nightly-report in prod-batch'],
    ['résumé\nline two\u0007', 'resume line two?'],
    ['🔥 fire', '? fire'],
    ['x'.repeat(120), `${'x'.repeat(97)}...`],
    ['  ', 'ecslog incident'],
  ])('keeps a subject SNS accepts: %j → %j', (subject, expected) => {
    expect(snsSubjectOf(subject)).toBe(expected);
  });

  it('publishes a message whose rendered subject is too long for SNS, cut', async () => {
    const topicArn = server.createTopic('long-subjects');
    const long = incidentMessageFixture('opened', {
      incident: {
        key: { ...incidentMessageFixture().incident.key, group: `family:${'n'.repeat(150)}` },
      },
    });
    await createSnsChannel({ client, topicArn }).send(long);
    expect(server.published(topicArn)[0]?.subject?.length).toBeLessThanOrEqual(100);
  });

  it('refuses a topic ARN that is none', () => {
    expect(() => createSnsChannel({ client, topicArn: 'ecslog-incidents' })).toThrow(
      ChannelConfigError,
    );
  });

  describe('the local server checks what SNS checks', () => {
    it.each([
      ['a subject with a line break', { Subject: 'OOM\nin prod' }, /Subject/],
      ['a subject over 100 characters', { Subject: 'x'.repeat(101) }, /Subject/],
      ['an empty message', { Message: '' }, /Empty message/],
      [
        'a reserved attribute name',
        { MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } },
        /attribute name/,
      ],
    ])('refuses %s', async (_, change, reason) => {
      const topicArn = server.createTopic('checked');
      const error = await client
        .send(new PublishCommand({ TopicArn: topicArn, Message: 'body', ...change }))
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.name).toBe('InvalidParameterException');
      expect(error?.message).toMatch(reason);
      expect(server.published(topicArn)).toEqual([]);
    });

    it('refuses a FIFO publish without a group id', async () => {
      const topicArn = server.createTopic('checked.fifo');
      const error = await client
        .send(
          new PublishCommand({ TopicArn: topicArn, Message: 'body', MessageDeduplicationId: 'd' }),
        )
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.message).toMatch(/MessageGroupId/);
    });
  });
});
