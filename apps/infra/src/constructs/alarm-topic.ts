/**
 * The SNS topic alarms notify: a new one (encrypted with a key CloudWatch may use, TLS only) or
 * an existing one given by ARN; an e-mail address, when given, is subscribed to it.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTopicProps {
  alarmEmail?: string;
  alarmTopicArn?: string;
  /** The new topic's key: `DESTROY` in `dev` (a retained key costs $1 a month, forever). */
  keyRemovalPolicy: RemovalPolicy;
}

/** The topic under `scope` (ids `Topic`, `TopicKey`). */
export function alarmTopic(scope: Construct, props: AlarmTopicProps): sns.ITopic {
  const topic = props.alarmTopicArn
    ? sns.Topic.fromTopicArn(scope, 'Topic', props.alarmTopicArn)
    : createTopic(scope, props.keyRemovalPolicy);
  if (props.alarmEmail) {
    const subscription = topic.addSubscription(
      new subscriptions.EmailSubscription(props.alarmEmail),
    );
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'The alarm e-mail subscription: an undeliverable alarm mail would sit in a queue nobody reads; the alarm itself stays in ALARM in CloudWatch and on the dashboard',
    });
  }
  return topic;
}

function createTopic(scope: Construct, removalPolicy: RemovalPolicy): sns.Topic {
  // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: it needs a
  // customer key whose policy lets it generate data keys.
  const key = new kms.Key(scope, 'TopicKey', {
    description: 'Encrypts the ecslog alarm topic',
    enableKeyRotation: true,
    removalPolicy,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      // Only alarms of this account: the service principal alone admits CloudWatch acting for
      // any account (the confused-deputy case).
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  return new sns.Topic(scope, 'Topic', { masterKey: key, enforceSSL: true });
}
