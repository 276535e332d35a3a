/**
 * Multi-account: each member account of an organization deploys the forwarder stack, which sends
 * its ECS events (and ECS API calls from CloudTrail) to the central account's default event bus;
 * the central account admits them with a bus policy ({@link CentralBusPolicy}). ecslog then runs
 * once, centrally.
 */
import type { StackProps } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';

/** The four ECS detail-types ecslog audits. */
export const ECS_DETAIL_TYPES = [
  'ECS Task State Change',
  'ECS Container Instance State Change',
  'ECS Service Action',
  'ECS Deployment State Change',
];

export interface ForwarderStackProps extends StackProps {
  config: StageConfig;
}

export class ForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.centralAccount === undefined)
      throw new Error('the forwarder stack needs centralAccount (-c centralAccount=111122223333)');
    const region = config.centralRegion ?? this.region;
    const centralBus = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${this.partition}:events:${region}:${config.centralAccount}:event-bus/default`,
    );
    // One role for both rules: events:PutEvents on the central bus only.
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets EventBridge put ECS events on the central ecslog account bus',
    });
    const target = new targets.EventBus(centralBus, { role });
    new events.Rule(this, 'EcsEvents', {
      description: 'ECS state changes → the central ecslog account',
      eventPattern: { source: ['aws.ecs'], detailType: ECS_DETAIL_TYPES },
      targets: [target],
    });
    if (config.captureApiCalls)
      new events.Rule(this, 'EcsApiCalls', {
        description: 'ECS API calls (CloudTrail) → the central ecslog account',
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: { eventSource: ['ecs.amazonaws.com'] },
        },
        targets: [target],
      });
  }
}

export interface CentralBusPolicyProps {
  /** Member accounts whose forwarders may put events on this account's default bus. */
  accounts: readonly string[];
}

/** In the central account: lets the member accounts' forwarders put events on the default bus. */
export class CentralBusPolicy extends Construct {
  constructor(scope: Construct, id: string, props: CentralBusPolicyProps) {
    super(scope, id);
    const bus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const account of props.accounts)
      new events.CfnEventBusPolicy(this, `Member${account}`, {
        eventBusName: bus.eventBusName,
        statementId: `ecslog-member-${account}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Stack.of(this).partition}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: bus.eventBusArn,
        },
      });
  }
}
