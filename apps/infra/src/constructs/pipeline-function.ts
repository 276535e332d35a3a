/**
 * A Lambda function bundled from a TypeScript handler of this repository with the locally
 * installed esbuild (never Docker), on nodejs22.x / arm64, with its own log group and a role that
 * may write only to that log group (no AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup is
 * on every log group of the account).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';

/** The repository root (this file is apps/infra/src/constructs/). */
export const REPO_ROOT = path.join(__dirname, '../../../..');

export interface PipelineFunctionProps {
  /** The handler file, relative to the repository root (`apps/ingest/src/kinesis.handler.ts`). */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    assertLocalEsbuild();
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        // There is no Docker engine on CI or developer machines: fail rather than fall back.
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        mainFields: ['module', 'main'],
        logLevel: nodejs.LogLevel.WARNING,
      },
    });
    // The role's log-writing grant must exist before the function can log its first cold start.
    this.function.node.addDependency(this.role);
  }
}

/** NodejsFunction silently falls back to Docker without a local esbuild; make that an error. */
function assertLocalEsbuild(): void {
  try {
    require.resolve('esbuild', { paths: [REPO_ROOT] });
  } catch (cause) {
    throw new Error(
      'esbuild is not installed in the repository: run npm ci (Docker bundling is not used)',
      {
        cause,
      },
    );
  }
}
