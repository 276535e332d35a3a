import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { renderTimeline } from '../commands/task.run';
import { RAW_CONTROLS } from '../testing/hostile-events';
import { taskProvenanceOf } from './task-provenance';

const UTC = { utc: true };
const RUNNING = fixtureRecords('eventbridge/task-lifecycle-04-running.json')[0] as AuditRecord;
const STOPPED = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json')[0] as AuditRecord;
const EC2_BRIDGE = fixtureRecords('eventbridge/task-running-ec2-bridge.json')[0] as AuditRecord;
const IPV6_ONLY = fixtureRecords('eventbridge/task-running-ipv6-only.json')[0] as AuditRecord;
const START_CALL = fixtureRecords('cloudtrail/starttask-success.json')[0] as AuditRecord;

describe('taskProvenanceOf', () => {
  it("gives a Fargate task's images, digests, runtime ids, addresses, platform, ENI and deployment", () => {
    const provenance = taskProvenanceOf([RUNNING, STOPPED]);

    expect(provenance).toEqual({
      containers: [
        {
          name: 'web',
          image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:v2.13.0',
          imageDigest: 'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f',
          runtimeId: '7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b-2418806513',
          addresses: ['10.20.41.187'],
        },
        expect.objectContaining({ name: 'log-router', addresses: ['10.20.41.187'] }),
      ],
      launchType: 'FARGATE',
      capacityProviderName: 'FARGATE',
      platformVersion: '1.4.0',
      network: {
        interfaceId: 'eni-0d93b1f27c4a8e615',
        privateIpv4: '10.20.41.187',
        subnetId: 'subnet-0a7e3c91d24b5f680',
        macAddress: '06:3f:9a:2c:71:d4',
        privateDnsName: 'ip-10-20-41-187.eu-west-1.compute.internal',
      },
      startedBy: 'ecs-svc/1234567890123456789',
      deployment: 'ecs-svc/1234567890123456789',
    });
  });

  it('keeps what an earlier state change said when the latest leaves it out', () => {
    const { network: _network, containers, ...rest } = STOPPED;
    const bare: AuditRecord = {
      ...rest,
      containers: containers?.map(({ imageDigest: _d, ...c }) => c),
    };

    const provenance = taskProvenanceOf([RUNNING, bare]);

    expect(provenance.network?.privateIpv4).toBe('10.20.41.187');
    expect(provenance.containers[0]?.imageDigest).toMatch(/^sha256:5c1e/);
  });

  it("gives an EC2 task's host with the EC2 instance it is given, and no ENI", () => {
    const provenance = taskProvenanceOf([EC2_BRIDGE], { ec2InstanceId: 'i-0f9e8d7c6b5a41302' });

    expect(provenance).toMatchObject({
      containerInstanceArn:
        'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/9d4f1b7e2c8a4e60b3d5f8a1c7e2b946',
      ec2InstanceId: 'i-0f9e8d7c6b5a41302',
      startedBy: 'events-rule/nightly-report',
    });
    expect(provenance.network).toBeUndefined();
    expect(provenance.deployment).toBeUndefined();
    expect(provenance.containers[0]?.addresses).toEqual([]);
  });

  it("gives an IPv6-only task's address", () => {
    const provenance = taskProvenanceOf([IPV6_ONLY]);

    expect(provenance.network?.ipv6).toBe('2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813');
    expect(provenance.network?.privateIpv4).toBeUndefined();
    expect(provenance.containers[0]?.addresses).toEqual(['2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813']);
  });

  it('names the call that started the task and its caller', () => {
    const provenance = taskProvenanceOf([START_CALL]);

    expect(provenance.startCall).toEqual({
      eventName: 'StartTask',
      caller: START_CALL.caller,
      eventTime: START_CALL.eventTime,
    });
    expect(START_CALL.caller).toEqual(expect.any(String));
  });
});

describe('ecslog task: provenance in the human view', () => {
  it('shows digest, runtime id, addresses, platform, ENI, deployment', () => {
    const view = renderTimeline([RUNNING, STOPPED], UTC);

    expect(view).toMatch(/^Deployment: +ecs-svc\/1234567890123456789$/m);
    expect(view).toMatch(/^Platform: +1\.4\.0$/m);
    expect(view).toMatch(/^ENI: +eni-0d93b1f27c4a8e615$/m);
    expect(view).toMatch(/^Address: +10\.20\.41\.187$/m);
    expect(view).toMatch(/^Subnet: +subnet-0a7e3c91d24b5f680$/m);
    expect(view).toMatch(/^MAC: +06:3f:9a:2c:71:d4$/m);
    expect(view).toMatch(/^DNS name: +ip-10-20-41-187\.eu-west-1\.compute\.internal$/m);
    expect(view).toMatch(
      /^web +\S+web:v2\.13\.0 +sha256:5c1e9d0b\w+ +7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b-2418806513 +10\.20\.41\.187$/m,
    );
  });

  it('shows the host and its EC2 instance', () => {
    const view = renderTimeline(
      [EC2_BRIDGE],
      UTC,
      undefined,
      taskProvenanceOf([EC2_BRIDGE], {
        ec2InstanceId: 'i-0f9e8d7c6b5a41302',
      }),
    );

    expect(view).toMatch(
      /^Host: +arn:aws:ecs:\S+:container-instance\/batch\/9d4f1b7e2c8a4e60b3d5f8a1c7e2b946$/m,
    );
    expect(view).toMatch(/^EC2 instance: +i-0f9e8d7c6b5a41302$/m);
    expect(view).not.toMatch(/^ENI:/m);
  });

  it('shows provenance from events escaped', () => {
    const record = { ...STOPPED, platformVersion: '1.4.0\u001b[2J\u202e' };
    record.containers = STOPPED.containers?.map((c) => ({
      ...c,
      runtimeId: 'x\u001b]0;owned\u0007',
    }));

    const view = renderTimeline([record], UTC);

    expect(view).toContain('Platform:       1.4.0\\x1b[2J\\u202e');
    expect(view).toContain('x\\x1b]0;owned\\x07');
    expect(view).not.toMatch(RAW_CONTROLS);
  });
});
