/**
 * @ecslog/notifier — incidents kept in the audit table with atomic conditional writes, and their
 * messages delivered through a per-item outbox to SNS, Slack and webhooks, once per incident
 * (README: "Delivery guarantee").
 *
 * @example
 * import { createNotifier, createWebhookChannel, createFileDeadLetters } from '@ecslog/notifier';
 * const notifier = createNotifier({ client, tableName, config, channels, deadLetters });
 * await notifier.observe(records.map((record) => ({ record, origin: 'live' })));
 * await notifier.deliverPending();
 * // every 5 minutes:
 * await notifier.tick();
 */
export * from './notifier-api';
export { ChannelConfigError, ChannelError, isRetryableStatus } from './channels/channel-error';
export { checkChannelUrl, DEFAULT_TIMEOUT_MS, USER_AGENT } from './channels/http-post';
export type { ChannelUrl } from './channels/http-post';
export {
  createSlackWebhookChannel,
  createWebhookChannel,
  signatureOf,
} from './channels/webhook-channels';
export type {
  SlackWebhookChannelOptions,
  WebhookChannelOptions,
} from './channels/webhook-channels';
export { createSnsChannel, snsAttributesOf } from './channels/sns-channel';
export type { SnsChannelOptions } from './channels/sns-channel';
export {
  createFileDeadLetters,
  createSqsDeadLetters,
  deadLetterOf,
  LOCAL_DEAD_LETTERS_FILE,
} from './delivery/dead-letters';
export type { DeadLetter, DeadLetters } from './delivery/dead-letters';
export { backoffMs, createOutboxSender, DEFAULT_DELIVERY_POLICY } from './delivery/deliver-pending';
export type { DeliveryPolicy, OutboxSender, OutboxSenderOptions } from './delivery/deliver-pending';
export {
  createIncidentStore,
  DEFAULT_MAX_ROUNDS,
  historySortKeyOf,
  IncidentConflictError,
  keyOfRef,
  muteSortKeyOf,
  outboxKeyOf,
  PARTITION,
} from './store/incident-store';
export type {
  DocumentChange,
  IncidentStore,
  IncidentStoreOptions,
  OutboxEntry,
  StoredDocument,
  WrittenChange,
} from './store/incident-store';
export { createMuteStore, InvalidMuteError } from './mutes';
export type { MuteStore } from './mutes';
export { createNotifier, openRunsByGroupReader } from './notifier';
export type { NotifierOptions } from './notifier';
export { createIncidentReader } from './incident-reader';
export type { IncidentReaderOptions } from './incident-reader';
