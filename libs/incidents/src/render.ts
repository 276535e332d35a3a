/**
 * The channels' renderings of one message. Pure. Every string that comes from a record (stop
 * reasons, container and group names, summaries) is user-controlled: Slack's is escaped, the text
 * renderings lose control characters, and every rendering is bounded.
 */
import type { IncidentMessage } from './incident';
import { factsOf, headlineOf, linksOf } from './message-facts';

/** The schema name of {@link renderWebhookBody}'s JSON. */
export const WEBHOOK_SCHEMA = 'ecslog.incident-message/1';

/** Slack's limit for a section's text (characters). */
export const SLACK_SECTION_LIMIT = 3000;
const SLACK_FALLBACK_LIMIT = 300;

/**
 * A Slack incoming-webhook body (Block Kit): a `text` fallback (the notification line) and mrkdwn
 * sections — the headline with the facts, the verbatim stop reason, the links — each at most
 * {@link SLACK_SECTION_LIMIT} characters. `&`, `<` and `>` of every user string are escaped, so a
 * hostile stop reason can neither mention (`<!channel>`) nor make links (`<https://…|…>`).
 *
 * @example
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(renderSlackMessage(message)) });
 */
export function renderSlackMessage(message: IncidentMessage): object {
  const headline = headlineOf(message);
  const facts = factsOf(message);
  const long = facts.filter(([label]) => label === 'Stopped reason');
  const short = facts.filter(([label]) => label !== 'Stopped reason');
  const budget = Math.floor((SLACK_SECTION_LIMIT - 200) / Math.max(1, short.length));
  const lines = [`*${slackEscape(headline, 500)}*`];
  for (const [label, value] of short) lines.push(`*${label}:* ${slackEscape(value, budget)}`);
  const blocks: object[] = [section(lines.join('\n'))];
  for (const [label, value] of long)
    blocks.push(section(`*${label}:*\n${slackEscape(value, SLACK_SECTION_LIMIT - 40)}`));
  const links = linksOf(message.incident);
  const linkLines = [`<${links.console}|Open in the ECS console>`];
  if (links.command !== undefined) linkLines.push(`\`${slackEscape(links.command, 200)}\``);
  blocks.push(section(linkLines.join('  ·  ')));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: slackEscape(`ecslog · ${message.messageId}`, 2000) }],
  });
  return { text: slackEscape(headline, SLACK_FALLBACK_LIMIT), blocks };
}

/**
 * The generic webhook body: JSON of schema {@link WEBHOOK_SCHEMA} (documented in the README):
 * `schema`, `messageId`, `kind`, `createdAt`, `headline`, `text` (the plain-text rendering), the
 * whole `incident`, `links` (`console`, `command`) and, for updates, `failedRunsSinceLastMessage`.
 *
 * @example
 * renderWebhookBody(message).schema; // 'ecslog.incident-message/1'
 */
export function renderWebhookBody(message: IncidentMessage): object {
  const body: Record<string, unknown> = {
    schema: WEBHOOK_SCHEMA,
    messageId: message.messageId,
    kind: message.kind,
    createdAt: message.createdAt,
    headline: headlineOf(message),
    text: renderMessageText(message),
    incident: message.incident,
    links: linksOf(message.incident),
  };
  if (message.failedRunsSinceLastMessage !== undefined)
    body.failedRunsSinceLastMessage = message.failedRunsSinceLastMessage;
  return body;
}

/** SNS's limit for a subject (ASCII characters). */
export const SNS_SUBJECT_LIMIT = 100;

/**
 * An SNS message: a subject of at most {@link SNS_SUBJECT_LIMIT} printable ASCII characters without
 * line breaks (what SNS accepts), and the plain-text body of {@link renderMessageText}.
 *
 * @example
 * const { subject, body } = renderSnsMessage(message);
 * await sns.send(new PublishCommand({ TopicArn, Subject: subject, Message: body }));
 */
export function renderSnsMessage(message: IncidentMessage): { subject: string; body: string } {
  const ascii = headlineOf(message)
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const subject =
    ascii.length > SNS_SUBJECT_LIMIT ? `${ascii.slice(0, SNS_SUBJECT_LIMIT - 3)}...` : ascii;
  return {
    subject: subject === '' ? 'ecslog incident' : subject,
    body: renderMessageText(message),
  };
}

/** The longest value a text line carries (characters): a stop reason of any length stays readable. */
const TEXT_VALUE_LIMIT = 2000;

/**
 * The message as terminal lines (`ecslog local`, SNS bodies, the webhook's `text`): the headline,
 * the facts indented, the console link and the `ecslog task` command, the message id. Control
 * characters of user strings become spaces (no terminal escapes, no forged lines).
 *
 * @example
 * console.log(renderMessageText(message));
 * // [ecslog] Incident opened, out-of-memory failures: family:nightly in prod
 * //   Reason: container job killed: out of memory (exit 137)
 * //   …
 */
export function renderMessageText(message: IncidentMessage): string {
  const lines = [`[ecslog] ${plain(headlineOf(message), TEXT_VALUE_LIMIT)}`];
  for (const [label, value] of factsOf(message))
    lines.push(`  ${label}: ${plain(value, TEXT_VALUE_LIMIT)}`);
  const links = linksOf(message.incident);
  lines.push(`  Console: ${links.console}`);
  if (links.command !== undefined) lines.push(`  Inspect: ${plain(links.command, 200)}`);
  lines.push(`  Message: ${plain(message.messageId, 1000)}`);
  return lines.join('\n');
}

function section(text: string): object {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Slack's mrkdwn escaping of a user string, at most `limit` characters after escaping (cut between
 * characters, never inside an entity, with "…").
 */
export function slackEscape(text: string, limit: number): string {
  let out = '';
  for (const char of text) {
    const piece = SLACK_ENTITIES[char] ?? char;
    if (out.length + piece.length > limit - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

function plain(text: string, limit: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > limit ? `${clean.slice(0, limit - 1)}…` : clean;
}
