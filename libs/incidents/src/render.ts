import type { IncidentMessage } from './incident';

/** A Slack incoming-webhook body (Block Kit), every user string escaped. */
export function renderSlackMessage(message: IncidentMessage): object {
  return { text: message.messageId };
}

/** The generic webhook body, `schema: "ecslog.incident-message/1"`. */
export function renderWebhookBody(message: IncidentMessage): object {
  return { schema: 'ecslog.incident-message/1', messageId: message.messageId };
}

/** An SNS message: subject ≤ 100 ASCII characters without newlines, plain-text body. */
export function renderSnsMessage(message: IncidentMessage): { subject: string; body: string } {
  return { subject: message.messageId, body: message.messageId };
}

/** The message as terminal lines (`ecslog local`). */
export function renderMessageText(message: IncidentMessage): string {
  return message.messageId;
}
