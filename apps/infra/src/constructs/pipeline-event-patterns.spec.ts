import { readdirSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { FIXTURES_DIR, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { readStageConfig } from '../config/stage-config';
import { matchesPattern } from '../testing/event-pattern-match';
import { clusterScopeOf } from './pipeline-event-patterns';
import type { PipelineRule } from './pipeline-rule-names';
import { pipelineRulePatterns } from './pipeline-rule-names';

/** Each rule's EventPattern as CloudFormation gets it (what EventBridge matches). */
function renderedPatterns(
  context: Record<string, unknown>,
): Map<PipelineRule, Record<string, unknown>> {
  const stack = new Stack(new App(), 'patterns', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  const config = readStageConfig((key) => context[key]);
  const rules = pipelineRulePatterns(config, clusterScopeOf(stack));
  for (const { rule, eventPattern } of rules) new events.Rule(stack, rule, { eventPattern });
  const resources = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return new Map(
    rules.map(({ rule }) => {
      const [, resource] = Object.entries(resources).find(([id]) => id.startsWith(rule)) ?? [];
      const pattern = (resource as { Properties: { EventPattern: Record<string, unknown> } })
        .Properties.EventPattern;
      return [rule, pattern];
    }),
  );
}

const deliveredBy = (patterns: Map<PipelineRule, Record<string, unknown>>, event: unknown) =>
  [...patterns].filter(([, pattern]) => matchesPattern(pattern, event)).map(([rule]) => rule);

const FIXTURES = readdirSync(`${FIXTURES_DIR}/eventbridge`).map((file) => ({
  file,
  event: loadFixture(`eventbridge/${file}`),
}));
const ecsEvents = FIXTURES.filter(
  ({ event }) =>
    event['source'] === 'aws.ecs' && event['detail-type'] !== 'AWS API Call via CloudTrail',
);
const apiCall = loadFixture('eventbridge/cloudtrail-api-call-runtask.json');

/** An ECS event of a detail-type nobody knows yet, about a task of `batch`, without clusterArn. */
const futureEvent = {
  version: '0',
  id: 'b7a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
  'detail-type': 'ECS Something New',
  source: 'aws.ecs',
  account: '444455556666',
  time: '2026-11-20T17:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:444455556666:task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
  detail: { somethingNew: true },
};

describe('pipeline rule patterns: every ECS detail-type is delivered, once', () => {
  it('has newer detail-types among the fixtures (health changes, daemons)', () => {
    const types = new Set(ecsEvents.map(({ event }) => event['detail-type']));
    expect([...types].sort()).toEqual([
      'ECS Container Instance Health Change',
      'ECS Container Instance State Change',
      'ECS Daemon Deployment State Change',
      'ECS Daemon Service Action',
      'ECS Deployment State Change',
      'ECS Service Action',
      'ECS Task State Change',
    ]);
  });

  it('without clusters: every ECS event by the events rule, API calls by theirs, other sources by none', () => {
    const patterns = renderedPatterns({ captureApiCalls: 'true' });

    expect(patterns.get('EcsEvents')).toEqual({
      source: ['aws.ecs'],
      'detail-type': [{ 'anything-but': ['AWS API Call via CloudTrail'] }],
    });
    for (const { file, event } of ecsEvents)
      expect({ file, rules: deliveredBy(patterns, event) }).toEqual({ file, rules: ['EcsEvents'] });
    expect(deliveredBy(patterns, futureEvent)).toEqual(['EcsEvents']);
    expect(deliveredBy(patterns, { ...futureEvent, resources: [] })).toEqual(['EcsEvents']);
    expect(deliveredBy(patterns, apiCall)).toEqual(['EcsApiCalls']);
    expect(deliveredBy(patterns, loadFixture('eventbridge/other-source.json'))).toEqual([]);
  });

  it('with clusters: each event of a watched cluster by exactly one rule, by clusterArn or by a resource ARN', () => {
    const watched = [
      'arn:aws:ecs:us-east-1:444455556666:cluster/batch',
      'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web',
    ];
    const patterns = renderedPatterns({ clusters: watched.join(','), captureApiCalls: 'false' });
    /** The event's cluster ARN: `detail.clusterArn`, else the one its first resource ARN names. */
    const clusterOf = (event: Record<string, unknown>) => {
      const detail = event['detail'] as Record<string, unknown>;
      const resource = (event['resources'] as string[])[0] ?? '';
      const [, cluster] = resource.split('/');
      const fromResource = `${resource.slice(0, resource.lastIndexOf(':') + 1)}cluster/${cluster}`;
      return (detail['clusterArn'] as string | undefined) ?? fromResource;
    };

    for (const { file, event } of ecsEvents) {
      const rules = deliveredBy(patterns, event);
      const expected = watched.includes(clusterOf(event)) ? 1 : 0;
      expect({ file, n: rules.length }).toEqual({ file, n: expected });
    }
    // Events of the other cluster called batch (another account) are among them: not delivered.
    expect(deliveredBy(patterns, loadFixture('eventbridge/task-running-ec2-bridge.json'))).toEqual(
      [],
    );
    // Deployments (no clusterArn) by the second rule; state changes by the first.
    expect(deliveredBy(patterns, loadFixture('eventbridge/deployment-failed.json'))).toEqual([
      'EcsDeployments',
    ]);
    expect(deliveredBy(patterns, loadFixture('eventbridge/task-stopped-oom.json'))).toEqual([
      'EcsEvents',
    ]);
    // A new kind with no clusterArn: by its task's ARN; of another cluster, or naming none: not.
    expect(deliveredBy(patterns, futureEvent)).toEqual(['EcsDeployments']);
    const elsewhere = {
      ...futureEvent,
      resources: [futureEvent.resources[0]?.replace('/batch/', '/other/')],
    };
    expect(deliveredBy(patterns, elsewhere)).toEqual([]);
    expect(deliveredBy(patterns, { ...futureEvent, resources: [] })).toEqual([]);
    expect(
      deliveredBy(patterns, { ...futureEvent, resources: [], detail: { clusterArn: watched[0] } }),
    ).toEqual(['EcsEvents']);
    expect(deliveredBy(patterns, apiCall)).toEqual([]);
  });
});
