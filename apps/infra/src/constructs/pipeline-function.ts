/**
 * A Lambda function whose code is a bundle the repository's build made and tested
 * (`dist/apps/<app>/…`, see tools/build/bundle-lambdas.cjs), deployed as it is: no re-bundling
 * at synthesis, so the asset is byte for byte the file the bundle tests ran. On nodejs22.x /
 * arm64, with its own log group and a role that may write only to that log group (no
 * AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup is on every log group of the account).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file is apps/infra/src/constructs/). */
export const REPO_ROOT = path.join(__dirname, '../../../..');

/** The bundles the Lambda apps' builds write (`npx nx run ingest:build`, …). */
export const LAMBDA_BUNDLES = {
  ingestEventBridge: { dir: 'dist/apps/ingest/eventbridge', build: 'ingest' },
  ingestKinesis: { dir: 'dist/apps/ingest/kinesis', build: 'ingest' },
  transform: { dir: 'dist/apps/firehose-transform', build: 'firehose-transform' },
  notifierStream: { dir: 'dist/apps/notifier/stream', build: 'notifier-app' },
  notifierTick: { dir: 'dist/apps/notifier/tick', build: 'notifier-app' },
} as const;

export type LambdaBundle = (typeof LAMBDA_BUNDLES)[keyof typeof LAMBDA_BUNDLES];

/** A bundle that has not been built: the one-line error says which build makes it. */
export class MissingBundleError extends Error {
  override readonly name = 'MissingBundleError';
  constructor(readonly bundle: LambdaBundle) {
    super(
      `the Lambda bundle ${bundle.dir}/index.js is missing: run npx nx run ${bundle.build}:build (infra:synth and infra:test run it first)`,
    );
  }
}

/** The bundle's folder, after checking it holds a handler. */
export function bundleDirectory(bundle: LambdaBundle): string {
  const dir = path.join(REPO_ROOT, bundle.dir);
  if (!existsSync(path.join(dir, 'index.js'))) throw new MissingBundleError(bundle);
  return dir;
}

export interface PipelineFunctionProps {
  /** The tested bundle to deploy; its `index.js` exports `handler`. */
  bundle: LambdaBundle;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  /** MB. The ingest's was measured: README "What it costs". */
  memorySize: number;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class PipelineFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(bundleDirectory(props.bundle)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
    // The role's log-writing grant must exist before the function can log its first cold start.
    this.function.node.addDependency(this.role);
  }
}
