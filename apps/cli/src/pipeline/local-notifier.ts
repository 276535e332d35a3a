/**
 * Local mode's notifier: incidents kept in the local audit table (dynalite has no streams, so
 * local mode's ingest hands it the records it stored), their messages printed as one line each
 * and, with `ecslog local --webhook URL`, POSTed to a webhook or a Slack incoming webhook; a timer
 * ticks it (quiet periods, silence, missed runs, retries). Dead letters go to
 * `$ECSLOG_HOME/notifier-dead-letters.ndjson`.
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IncidentMessage, NotifyConfig } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG, renderMessageText } from '@ecslog/incidents';
import type { Channel, DeliveryReport, Notifier } from '@ecslog/notifier';
import {
  createFileDeadLetters,
  createNotifier,
  createSlackWebhookChannel,
  createWebhookChannel,
} from '@ecslog/notifier';
import { visibleText } from '../output/visible-text';

/** The dead letters' file in `$ECSLOG_HOME`. */
export const DEAD_LETTERS_FILE = 'notifier-dead-letters.ndjson';

/** How often `ecslog local` ticks its notifier. */
export const LOCAL_TICK_MS = 30_000;

/**
 * A Slack incoming webhook's path: `/services/T…/B…/<secret>` (workspace, channel, token). Told by
 * its path only, so that a loopback receiver can stand in for Slack in tests.
 */
const SLACK_WEBHOOK_PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+\/?$/;

/** True when `url`'s path has the shape of a Slack incoming webhook's. */
export function isSlackWebhookUrl(url: string): boolean {
  try {
    return SLACK_WEBHOOK_PATH.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/**
 * A channel that prints each message as one line (its text rendering, lines joined, terminal
 * escapes made visible: stop reasons are anyone's text).
 */
export function createTerminalChannel(print: (line: string) => void): Channel {
  return {
    name: 'terminal',
    send: async (message: IncidentMessage) => print(messageLine(message)),
  };
}

/** One line for a message: its text rendering with its lines joined by ` · `. */
export function messageLine(message: IncidentMessage): string {
  return visibleText(
    renderMessageText(message)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(' · '),
  );
}

/**
 * The channels of local mode: the terminal always, and a webhook when one is given — Slack's
 * Block Kit body for a URL of a Slack incoming webhook's shape, the generic JSON body otherwise.
 * Throws `ChannelConfigError` (from the notifier) for a URL the channels refuse.
 */
export function localChannelsOf(webhook: string | undefined, print: (line: string) => void) {
  const channels: Channel[] = [createTerminalChannel(print)];
  if (webhook !== undefined)
    channels.push(
      isSlackWebhookUrl(webhook)
        ? createSlackWebhookChannel({ url: webhook })
        : createWebhookChannel({ url: webhook }),
    );
  return channels;
}

export interface LocalNotifierOptions {
  client: DynamoDBClient;
  tableName: string;
  /** `$ECSLOG_HOME`: where the dead letters go. */
  homeRoot: string;
  channels: readonly Channel[];
  /** Epoch ms. */
  now: () => number;
  config?: NotifyConfig;
}

/** A notifier whose clock can be set for one tick (the end of a simulated day). */
export interface LocalNotifier extends Notifier {
  /** One tick as if it were `at` (epoch ms): the end of a day just loaded. */
  tickAt(at: number): Promise<DeliveryReport>;
}

/**
 * The notifier of local mode, on the local audit table.
 *
 * @example
 * const notifier = createLocalNotifier({ client, tableName, homeRoot, channels, now: Date.now });
 * await notifier.observe([{ record, origin: 'live' }]);
 * await notifier.tick();
 */
export function createLocalNotifier(options: LocalNotifierOptions): LocalNotifier {
  let pinned: number | undefined;
  const now = () => pinned ?? options.now();
  const notifier = createNotifier({
    client: options.client,
    tableName: options.tableName,
    config: options.config ?? DEFAULT_NOTIFY_CONFIG,
    channels: options.channels,
    deadLetters: createFileDeadLetters(join(options.homeRoot, DEAD_LETTERS_FILE), options.now),
    now,
  });
  return {
    observe: (records) => notifier.observe(records),
    tick: () => notifier.tick(),
    deliverPending: () => notifier.deliverPending(),
    async tickAt(at) {
      pinned = at;
      try {
        return await notifier.tick();
      } finally {
        pinned = undefined;
      }
    },
  };
}

/**
 * Calls `tick` every `intervalMs`, one at a time (a slow tick is not overlapped); a failed tick
 * is reported in one line and the next one tries again. `stop` ends the timer and waits for the
 * tick under way.
 *
 * @example
 * const ticker = startTicker(notifier, LOCAL_TICK_MS, (line) => io.stderr.write(line + '\n'));
 * await ticker.stop();
 */
export function startTicker(
  notifier: Pick<Notifier, 'tick'>,
  intervalMs: number,
  report: (line: string) => void,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = notifier
      .tick()
      .then(
        () => undefined,
        (error: unknown) =>
          report(
            `ecslog: the notifier's tick failed (tried again in ${intervalMs / 1000} s): ${visibleText(error instanceof Error ? error.message : String(error))}`,
          ),
      )
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
