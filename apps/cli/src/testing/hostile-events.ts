/**
 * Events whose free text would drive a terminal or reorder what people read, if printed as it
 * is: a StopTask `reason` (and the task's stoppedReason, which ECS copies from it), a container
 * reason and a service action reason holding ESC[2J (clear screen), OSC 0 (window title), OSC 8
 * (hyperlink), a carriage return drawing a fake line, and U+202E (right-to-left override). Used
 * only by tests.
 */

/** The hostile text every one of these events carries. */
export const HOSTILE_TEXT =
  'maintenance\x1b[2J\x1b]0;ecslog: all clear\x07\x1b]8;;https://attacker.example/\x1b\\details\x1b]8;;\x1b\\' +
  '\rall tasks succeeded\u202edesab';

/** The characters none of the human-readable outputs may contain raw. */
// eslint-disable-next-line no-control-regex -- these control characters are what is looked for
export const RAW_CONTROLS = /[\x1b\x07\r\u202e]/;

export const HOSTILE_CLUSTER = 'hostile';
export const HOSTILE_SERVICE = 'web';
export const HOSTILE_TASK_ID = '0123456789abcdef0123456789abcdef';
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${HOSTILE_CLUSTER}`;
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${HOSTILE_CLUSTER}/${HOSTILE_TASK_ID}`;
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${HOSTILE_CLUSTER}/${HOSTILE_SERVICE}`;

/**
 * A task of service `web` that ran 10 minutes from `startMs`, a StopTask call with the hostile
 * reason, its STOPPED state change (exit 1 with a hostile container reason: a failure), and a
 * placement failure of the service with a hostile reason, one minute later.
 */
export function hostileEvents(startMs: number): Record<string, unknown>[] {
  const at = (minutes: number) => new Date(startMs + minutes * 60_000).toISOString();
  const envelope = (id: string, detailType: string, minutes: number, resource: string) => ({
    version: '0',
    id,
    'detail-type': detailType,
    source: 'aws.ecs',
    account: ACCOUNT,
    time: at(minutes).replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [resource],
  });
  const task = (version: number, lastStatus: string, minutes: number, stopped: boolean) => ({
    ...envelope(`hostile-task-${version}`, 'ECS Task State Change', minutes, TASK_ARN),
    detail: {
      taskArn: TASK_ARN,
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:7`,
      group: `service:${HOSTILE_SERVICE}`,
      startedBy: 'ecs-svc/1234567890123456789',
      launchType: 'FARGATE',
      lastStatus,
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      createdAt: at(0),
      startedAt: at(1),
      version,
      ...(stopped && {
        stoppingAt: at(minutes - 1),
        stoppedAt: at(minutes),
        stopCode: 'EssentialContainerExited',
        stoppedReason: HOSTILE_TEXT,
      }),
      containers: [
        {
          name: 'app',
          image: 'app:1',
          lastStatus,
          ...(stopped && { exitCode: 1, reason: HOSTILE_TEXT }),
        },
      ],
    },
  });
  return [
    task(1, 'RUNNING', 1, false),
    {
      ...envelope('hostile-stop-call', 'AWS API Call via CloudTrail', 9, TASK_ARN),
      detail: {
        eventVersion: '1.10',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/mallory` },
        eventTime: at(9).replace(/\.\d{3}Z$/, 'Z'),
        eventSource: 'ecs.amazonaws.com',
        eventName: 'StopTask',
        awsRegion: REGION,
        requestParameters: {
          cluster: HOSTILE_CLUSTER,
          task: HOSTILE_TASK_ID,
          reason: HOSTILE_TEXT,
        },
        responseElements: null,
        eventID: 'hostile-stop-call-event',
        eventType: 'AwsApiCall',
        recipientAccountId: ACCOUNT,
      },
    },
    task(2, 'STOPPED', 10, true),
    {
      ...envelope('hostile-service-action', 'ECS Service Action', 11, SERVICE_ARN),
      detail: {
        eventType: 'ERROR',
        eventName: 'SERVICE_TASK_PLACEMENT_FAILURE',
        clusterArn: CLUSTER_ARN,
        createdAt: at(11),
        reason: `RESOURCE:MEMORY ${HOSTILE_TEXT}`,
      },
    },
  ];
}
