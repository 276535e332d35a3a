import fc from 'fast-check';
import type { IncidentMessage } from './incident';
import { formatMinutes, linksOf } from './message-facts';
import {
  renderMessageText,
  renderSlackMessage,
  renderSnsMessage,
  renderWebhookBody,
  SLACK_SECTION_LIMIT,
  slackEscape,
} from './render';
import { openedBy } from './testing/incidents';
import { FAMILY_PLACEMENT, SERVICE_OOM } from './testing/records';

const OPENED = openedBy(SERVICE_OOM);
const TASK = 'b1449e8faf40609955463eb597283364';
const CONSOLE = `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/tasks/${TASK}`;

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
}

/** Every text a Slack body shows. */
function slackTexts(body: object): string[] {
  const slack = body as SlackBody;
  return [
    slack.text,
    ...slack.blocks.flatMap((block) => [
      ...(block.text ? [block.text.text] : []),
      ...(block.elements ?? []).map((element) => element.text),
    ]),
  ];
}

function updated(message: IncidentMessage): IncidentMessage {
  return {
    ...message,
    messageId: message.messageId.replace('#opened#0', '#updated#1'),
    kind: 'updated',
    failedRunsSinceLastMessage: 3,
    incident: { ...message.incident, failedRuns: 4 },
  };
}

function resolved(message: IncidentMessage): IncidentMessage {
  return {
    ...message,
    messageId: message.messageId.replace('#opened#0', '#resolved#0'),
    kind: 'resolved',
    incident: {
      ...message.incident,
      status: 'resolved',
      failedRuns: 4,
      resolvedAt: '2026-11-20T06:11:41.502Z',
      resolution: 'steady-state',
    },
  };
}

describe('renderMessageText', () => {
  it('tells an opened incident with its reason, stop reason, task, exit codes, count, console link and command', () => {
    expect(renderMessageText(OPENED)).toBe(
      [
        '[ecslog] Incident opened, out-of-memory failures: service:queue-worker in prod-web',
        '  Reason: container worker killed: out of memory (exit 137)',
        '  Stopped reason: Essential container in task exited',
        '  Stop code: EssentialContainerExited',
        `  Task: ${TASK}`,
        '  Exit codes: worker 137, log-router 0',
        '  At: 2026-11-20T05:06:41.502Z',
        '  Failed runs so far: 1',
        `  Console: ${CONSOLE}`,
        `  Inspect: ecslog task ${TASK}`,
        `  Message: ${OPENED.messageId}`,
      ].join('\n'),
    );
  });

  it('tells an update with the counts and a resolution with its duration, totals and reason', () => {
    expect(renderMessageText(updated(OPENED)).split('\n')[0]).toBe(
      '[ecslog] Incident updated, out-of-memory failures: service:queue-worker in prod-web: 3 more failed runs (4 in all)',
    );
    expect(renderMessageText(updated(OPENED))).toContain(
      '  Failed runs: 4 (3 since the last message), since 2026-11-20T05:06:41.502Z',
    );
    const text = renderMessageText(resolved(OPENED)).split('\n');
    expect(text.slice(0, 4)).toEqual([
      '[ecslog] Incident resolved, out-of-memory failures: service:queue-worker in prod-web after 1 h 5 min',
      '  Resolved: the service reached steady state (2026-11-20T06:11:41.502Z)',
      '  Duration: 1 h 5 min, 2026-11-20T05:06:41.502Z to 2026-11-20T06:11:41.502Z',
      '  Failed runs: 4',
    ]);
  });

  it('links a run without a task to the cluster’s tasks, with no command', () => {
    const placement = openedBy(FAMILY_PLACEMENT);

    expect(linksOf(placement.incident)).toEqual({
      console: 'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/batch/tasks',
    });
    expect(renderMessageText(placement)).toContain('  Placement reason: RESOURCE:MEMORY');
    expect(renderMessageText(placement)).not.toContain('Inspect:');
  });

  it('turns control characters of user strings into spaces and bounds long values', () => {
    const hostile: IncidentMessage = {
      ...OPENED,
      incident: {
        ...OPENED.incident,
        last: {
          ...OPENED.incident.last,
          stoppedReason: `bad\n  Console: https://evil.example\u001b[31m${'x'.repeat(5000)}`,
        },
      },
    };

    const lines = renderMessageText(hostile).split('\n');

    expect(lines.filter((line) => line.startsWith('  Console:'))).toEqual([
      `  Console: ${CONSOLE}`,
    ]);
    expect(lines.every((line) => line.length <= 2100)).toBe(true);
    expect(renderMessageText(hostile)).not.toContain('\u001b');
  });
});

describe('headlines of every kind', () => {
  it.each([
    ['crash-loop', 'Incident opened, crash loop: service:queue-worker in prod-web'],
    ['silence', 'Incident opened, fewer tasks than desired: service:queue-worker in prod-web'],
    ['missed-run', 'Incident opened, missed scheduled run: service:queue-worker in prod-web'],
  ] as const)('names a %s incident', (kind, headline) => {
    const message: IncidentMessage = {
      ...OPENED,
      incident: {
        ...OPENED.incident,
        key: { ...OPENED.incident.key, kind, category: undefined },
        detail: 'what is wrong',
      },
    };

    expect(renderMessageText(message).split('\n').slice(0, 2)).toEqual([
      `[ecslog] ${headline}`,
      '  Detail: what is wrong',
    ]);
  });

  it('names the category of a failure without one as other', () => {
    const message = {
      ...OPENED,
      incident: { ...OPENED.incident, key: { ...OPENED.incident.key, category: undefined } },
    };

    expect(renderSnsMessage(message).subject).toBe(
      'Incident opened, other failures: service:queue-worker in prod-web',
    );
  });
});

describe('renderSlackMessage', () => {
  it('makes an incoming-webhook body with a fallback text and mrkdwn sections', () => {
    const body = renderSlackMessage(OPENED) as SlackBody;

    expect(body.text).toBe(
      'Incident opened, out-of-memory failures: service:queue-worker in prod-web',
    );
    expect(body.blocks.map((block) => block.type)).toEqual([
      'section',
      'section',
      'section',
      'context',
    ]);
    expect(body.blocks[0]?.text?.text).toContain(
      '*Reason:* container worker killed: out of memory (exit 137)',
    );
    expect(body.blocks[0]?.text?.text).toContain('*Failed runs so far:* 1');
    expect(body.blocks[1]?.text?.text).toBe(
      '*Stopped reason:*\nEssential container in task exited',
    );
    expect(body.blocks[2]?.text?.text).toBe(
      `<${CONSOLE}|Open in the ECS console>  ·  \`ecslog task ${TASK}\``,
    );
  });

  it('escapes a hostile stop reason: no mention, no link', () => {
    const hostile: IncidentMessage = {
      ...OPENED,
      incident: {
        ...OPENED.incident,
        last: {
          ...OPENED.incident.last,
          stoppedReason: '<!channel> <https://evil.example|your console> & more',
        },
      },
    };

    const text = slackTexts(renderSlackMessage(hostile)).join('\n');

    expect(text).toContain('&lt;!channel&gt; &lt;https://evil.example|your console&gt; &amp; more');
    expect(text).not.toContain('<!channel>');
  });

  it('keeps every section within Slack’s limit, whatever the lengths', () => {
    const long: IncidentMessage = {
      ...OPENED,
      incident: {
        ...OPENED.incident,
        detail: '<'.repeat(4000),
        last: {
          ...OPENED.incident.last,
          stoppedReason: '&'.repeat(10_000),
          summary: 'y'.repeat(4000),
        },
      },
    };

    const texts = slackTexts(renderSlackMessage(long));

    expect(texts.every((text) => text.length <= SLACK_SECTION_LIMIT)).toBe(true);
    expect(texts[2]?.endsWith('&amp;…')).toBe(true);
  });

  it('cuts between characters, never inside an entity', () => {
    expect(slackEscape('a<b', 5)).toBe('a…');
    expect(slackEscape('a<b', 6)).toBe('a&lt;…');
    expect(slackEscape('a<b', 7)).toBe('a&lt;b');
  });
});

describe('renderWebhookBody', () => {
  it('is the documented JSON of schema ecslog.incident-message/1', () => {
    expect(renderWebhookBody(OPENED)).toEqual({
      schema: 'ecslog.incident-message/1',
      messageId: OPENED.messageId,
      kind: 'opened',
      createdAt: OPENED.createdAt,
      headline: 'Incident opened, out-of-memory failures: service:queue-worker in prod-web',
      text: renderMessageText(OPENED),
      incident: OPENED.incident,
      links: { console: CONSOLE, command: `ecslog task ${TASK}` },
    });
    expect(renderWebhookBody(updated(OPENED))).toMatchObject({
      kind: 'updated',
      failedRunsSinceLastMessage: 3,
    });
  });
});

describe('renderSnsMessage', () => {
  it('makes a subject of at most 100 printable ASCII characters on one line, and the text as body', () => {
    const hostile: IncidentMessage = {
      ...OPENED,
      incident: {
        ...OPENED.incident,
        key: { ...OPENED.incident.key, group: `service:ünïcode\nnew-line-${'z'.repeat(200)}` },
      },
    };

    const { subject, body } = renderSnsMessage(hostile);

    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject.endsWith('...')).toBe(true);
    expect(
      subject.startsWith('Incident opened, out-of-memory failures: service:?n?code new-line-zz'),
    ).toBe(true);
    expect(body).toBe(renderMessageText(hostile));
    expect(renderSnsMessage(OPENED).subject).toBe(
      'Incident opened, out-of-memory failures: service:queue-worker in prod-web',
    );
  });
});

describe('formatMinutes', () => {
  it.each([
    [0.5, '30 s'],
    [12, '12 min'],
    [60, '1 h'],
    [65, '1 h 5 min'],
    [1440, '1 d'],
    [1440 * 2 + 180, '2 d 3 h'],
  ])('%d minutes are "%s"', (minutes, words) => {
    expect(formatMinutes(minutes)).toBe(words);
  });
});

describe('renderSlackMessage property: user strings never become markup', () => {
  it('emits no unescaped < from any user string', () => {
    fc.assert(
      fc.property(
        fc.record({
          stoppedReason: fc.string({ unit: 'grapheme', maxLength: 400 }),
          summary: fc.string({ maxLength: 200 }),
          detail: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
          group: fc.string({ maxLength: 80 }),
          clusterName: fc.string({ maxLength: 40 }),
          container: fc.string({ maxLength: 40 }),
          taskId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          kind: fc.constantFrom('opened', 'updated', 'resolved'),
        }),
        (user) => {
          const base =
            user.kind === 'opened'
              ? OPENED
              : user.kind === 'updated'
                ? updated(OPENED)
                : resolved(OPENED);
          const last = {
            ...base.incident.last,
            stoppedReason: user.stoppedReason,
            summary: user.summary,
            exitCodes: [{ container: user.container, exitCode: 1 }],
          };
          if (user.taskId === undefined) delete (last as { taskId?: string }).taskId;
          else last.taskId = user.taskId;
          const message: IncidentMessage = {
            ...base,
            incident: {
              ...base.incident,
              key: { ...base.incident.key, group: user.group, clusterName: user.clusterName },
              ...(user.detail === undefined ? {} : { detail: user.detail }),
              last,
            },
          };
          const ours = `<${linksOf(message.incident).console}|Open in the ECS console>`;

          for (const text of slackTexts(renderSlackMessage(message))) {
            expect(text.length).toBeLessThanOrEqual(SLACK_SECTION_LIMIT);
            expect(text.split(ours).join('')).not.toMatch(/[<>]/);
          }
        },
      ),
    );
  });
});
