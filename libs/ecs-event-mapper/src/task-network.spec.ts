import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import type { AuditRecord } from './index';
import { imageDigestOf, ipv4Of, ipv6Of, macAddressOf, mapEvent } from './index';
import { fixtureRecords, loadFixture, mappedRecords } from './testing';

const onlyRecord = (path: string): AuditRecord => {
  const records = fixtureRecords(path);
  expect(records).toHaveLength(1);
  return records[0] as AuditRecord;
};

/** The Fargate RUNNING fixture with its detail changed by `edit`. */
function fargateRunningWith(edit: (detail: Record<string, unknown>) => void) {
  const event = loadFixture('eventbridge/task-lifecycle-04-running.json');
  edit(event['detail'] as Record<string, unknown>);
  return event;
}

describe('task provenance — documented shapes', () => {
  it('a Fargate awsvpc task: its ENI, platform version and each container’s digest, runtime id and address', () => {
    const record = onlyRecord('eventbridge/task-lifecycle-04-running.json');

    expect(record.schemaVersion).toBe(2);
    expect(record.platformVersion).toBe('1.4.0');
    expect(record.capacityProviderName).toBe('FARGATE');
    expect(record.containerInstanceArn).toBeUndefined();
    expect(record.network).toEqual({
      interfaceId: 'eni-0d93b1f27c4a8e615',
      privateIpv4: '10.20.41.187',
      subnetId: 'subnet-0a7e3c91d24b5f680',
      macAddress: '06:3f:9a:2c:71:d4',
      privateDnsName: 'ip-10-20-41-187.eu-west-1.compute.internal',
    });
    // One fixed field order, whatever order ECS lists the details in.
    expect(Object.keys(record.network ?? {})).toEqual([
      'interfaceId',
      'privateIpv4',
      'subnetId',
      'macAddress',
      'privateDnsName',
    ]);
    expect(record.containers).toEqual([
      {
        name: 'web',
        image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:v2.13.0',
        imageDigest: 'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f',
        runtimeId: '7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b-2418806513',
        networkInterfaces: [{ privateIpv4: '10.20.41.187' }],
        lastStatus: 'RUNNING',
      },
      {
        name: 'log-router',
        image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
        imageDigest: 'sha256:e2a94f0c7b1d3e6a8c5f2b9d0e7a1c4f6b3d8e0a2c5f7b9d1e3a6c8f0b2d4e69',
        runtimeId: '7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b-0987341275',
        networkInterfaces: [{ privateIpv4: '10.20.41.187' }],
        lastStatus: 'RUNNING',
      },
    ]);
  });

  it('keeps the ENI of a stopped task (attachment DELETED): the address it held', () => {
    const record = onlyRecord('eventbridge/task-stopped-essential-exit.json');

    expect(record.network).toMatchObject({
      interfaceId: 'eni-07cecc7d75442b326',
      privateIpv4: '10.20.50.76',
    });
  });

  it('an EC2 bridge-mode task: its container instance, no ENI, the Docker id as runtime id', () => {
    const record = onlyRecord('eventbridge/task-running-ec2-bridge.json');

    expect(record).toMatchObject({
      launchType: 'EC2',
      capacityProviderName: 'batch-asg',
      containerInstanceArn:
        'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/9d4f1b7e2c8a4e60b3d5f8a1c7e2b946',
    });
    expect(record.network).toBeUndefined();
    expect(record.platformVersion).toBeUndefined();
    expect(record.containers).toEqual([
      {
        name: 'report',
        image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/nightly-report:2026.11.19',
        imageDigest: 'sha256:9a2f7c4e1b8d3a6f0c5e2b9d7a4f1c8e3b6d0a9f2c7e5b1d8a4f6c3e0b9d2a71',
        runtimeId: 'f3a9c2e7b1d84f6a0c5e9b2d7a4f1c8e3b6d0a9f2c7e5b1d8a4f6c3e0b9d2a7e',
        lastStatus: 'RUNNING',
      },
    ]);
    expect(JSON.stringify(record)).not.toContain('"network');
  });

  it('an IPv6-only task: the IPv6 address, no IPv4, the MAC in lower case', () => {
    const record = onlyRecord('eventbridge/task-running-ipv6-only.json');

    expect(record.network).toEqual({
      interfaceId: 'eni-0b5d8e2f9a1c7d346',
      ipv6: '2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813',
      subnetId: 'subnet-06c1e9a4b7d2f3580',
      macAddress: '0a:7c:3e:91:d2:5b',
    });
    expect(record.containers?.[0]?.networkInterfaces).toEqual([
      { ipv6: '2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813' },
    ]);
  });

  it('takes an address the ENI details lack from the containers on the same attachment', () => {
    const event = fargateRunningWith((detail) => {
      const [eni] = detail['attachments'] as { details: { name: string }[] }[];
      eni!.details = eni!.details.filter((d) => d.name !== 'privateIPv4Address');
    });

    expect(mappedRecords(event)[0]?.network?.privateIpv4).toBe('10.20.41.187');
  });

  it('RunTask in CloudTrail (ElasticNetworkInterface, PRECREATED): the subnet and the container instance', () => {
    const [record] = fixtureRecords('eventbridge/cloudtrail-api-call-runtask.json');

    expect(record?.network).toEqual({ subnetId: 'subnet-05c2e9a7b13d48f06' });
    expect(record?.containerInstanceArn).toBe(
      'arn:aws:ecs:us-east-1:444455556666:container-instance/batch/9d2f6a1c0b7e48d3a5c1e7f02b9d4a66',
    );
  });

  it('RunTask on EC2 (bare CloudTrail record): each started task on its container instance', () => {
    const records = fixtureRecords('cloudtrail/runtask-success.json');

    expect(records.map((r) => r.containerInstanceArn?.split('/').pop())).toEqual([
      '547f8afa6e53552cd229d4bd53dcb1b1',
      '0b2e31721b47e5615e03b413e0b2bca1',
      expect.any(String),
    ]);
    expect(records.every((r) => r.network === undefined)).toBe(true);
  });
});

describe('task provenance — odd and hostile input is left out, never a problem', () => {
  const hostile = 'x'.repeat(1_000_000);

  it.each<[string, unknown]>([
    ['attachments not an array', 'eni'],
    [
      'attachments of other types only',
      [
        {
          id: 'a',
          type: 'Service Connect',
          status: 'ATTACHED',
          details: [{ name: 'portName', value: 'http' }],
        },
        {
          id: 'b',
          type: 'AmazonElasticBlockStorage',
          details: [{ name: 'volumeId', value: 'vol-0abc' }],
        },
      ],
    ],
    ['an ENI without details', [{ id: 'c', type: 'eni', status: 'PRECREATED' }]],
    ['details not an array', [{ type: 'eni', details: { subnetId: 'subnet-0a7e3c91d24b5f680' } }]],
    [
      'details of the wrong shapes',
      [
        {
          type: 'eni',
          details: [null, 7, 'subnetId', [], { name: 'subnetId' }, { value: '10.0.0.1' }],
        },
      ],
    ],
    [
      'values of the wrong types',
      [
        {
          type: 'eni',
          details: [
            { name: 'networkInterfaceId', value: { id: 'eni-0d93b1f27c4a8e615' } },
            { name: 'privateIPv4Address', value: 167772161 },
            { name: 'macAddress', value: ['06:3f:9a:2c:71:d4'] },
            { name: 'ipv6Address', value: true },
          ],
        },
      ],
    ],
    [
      'malformed values',
      [
        {
          type: 'ElasticNetworkInterface',
          details: [
            { name: 'networkInterfaceId', value: 'eni-XYZ' },
            { name: 'privateIPv4Address', value: '10.0.0.256' },
            { name: 'privateIPv4Address', value: '010.0.0.1' },
            { name: 'ipv6Address', value: '2001:db8::1::2' },
            { name: 'ipv6Address', value: 'fe80::1%eth0' },
            { name: 'subnetId', value: 'subnet-0a7e3c91d24b5f680; DROP TABLE' },
            { name: 'macAddress', value: '06:3f:9a:2c:71' },
            { name: 'privateDnsName', value: 'ip-10-0-0-1\u001b[31m.internal' },
          ],
        },
      ],
    ],
    [
      'hostile lengths',
      [
        {
          type: 'eni',
          details: [
            { name: 'privateIPv4Address', value: `10.0.0.1${hostile}` },
            { name: 'privateDnsName', value: hostile },
            { name: 'ipv6Address', value: `${'1:'.repeat(500_000)}1` },
          ],
        },
      ],
    ],
  ])('%s: the task maps, without a network', (_, attachments) => {
    const event = fargateRunningWith((detail) => {
      detail['attachments'] = attachments;
      for (const container of detail['containers'] as Record<string, unknown>[])
        container['networkInterfaces'] = [];
    });

    const [record] = mappedRecords(event);

    expect(record?.network).toBeUndefined();
    expect(record?.lastStatus).toBe('RUNNING');
  });

  it('a repeated detail name keeps the first well-formed value', () => {
    const event = fargateRunningWith((detail) => {
      detail['attachments'] = [
        {
          type: 'eni',
          details: [
            { name: 'privateIPv4Address', value: 'nonsense' },
            { name: 'privateIPv4Address', value: '10.1.2.3' },
            { name: 'privateIPv4Address', value: '10.9.9.9' },
          ],
        },
      ];
    });

    expect(mappedRecords(event)[0]?.network).toEqual({ privateIpv4: '10.1.2.3' });
  });

  it('odd container provenance is left out and the container kept', () => {
    const event = fargateRunningWith((detail) => {
      const [web] = detail['containers'] as Record<string, unknown>[];
      web!['imageDigest'] = { sha256: 'x' };
      web!['runtimeId'] = 'has spaces and \n newlines';
      web!['networkInterfaces'] = [{ privateIpv4Address: 'x' }, 'eni', null];
    });

    const [record] = mappedRecords(event);

    expect(record?.containers?.[0]).toEqual({
      name: 'web',
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:v2.13.0',
      lastStatus: 'RUNNING',
    });
    expect(record?.containers?.[1]?.imageDigest).toMatch(/^sha256:/);
  });

  it('a bad platformVersion or containerInstanceArn is left out', () => {
    const event = fargateRunningWith((detail) => {
      detail['platformVersion'] = { major: 1 };
      detail['containerInstanceArn'] = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/abc';
    });

    const [record] = mappedRecords(event);

    expect(record?.platformVersion).toBeUndefined();
    expect(record?.containerInstanceArn).toBeUndefined();
  });
});

describe('address, MAC and digest readers', () => {
  it.each([
    ['10.20.41.187', '10.20.41.187'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.1.1.1', undefined],
    ['10.0.0', undefined],
    ['01.2.3.4', undefined],
    [' 10.0.0.1', undefined],
  ])('ipv4Of(%j) is %j', (input, expected) => {
    expect(ipv4Of(input)).toBe(expected);
  });

  it.each([
    ['2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813', '2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813'],
    ['2A05:D018::E813', '2a05:d018::e813'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1::2::3', undefined],
    [':1:2:3:4:5:6:7', undefined],
    ['fe80::1%eth0', undefined],
    ['1.2.3.4::', undefined],
  ])('ipv6Of(%j) is %j', (input, expected) => {
    expect(ipv6Of(input)).toBe(expected);
  });

  it('macAddressOf and imageDigestOf keep only the documented forms', () => {
    expect(macAddressOf('06:3F:9A:2C:71:D4')).toBe('06:3f:9a:2c:71:d4');
    expect(macAddressOf('06-3f-9a-2c-71-d4')).toBeUndefined();
    expect(imageDigestOf(`sha256:${'ab'.repeat(32)}`)).toBe(`sha256:${'ab'.repeat(32)}`);
    expect(imageDigestOf('sha256:short')).toBeUndefined();
    expect(imageDigestOf('latest')).toBeUndefined();
  });

  it('ipv4Of and ipv6Of accept every generated address, as Node reads it', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV6(), (v4, v6) => {
        expect(ipv4Of(v4)).toBe(v4);
        expect(ipv6Of(v6)).toBe(v6.toLowerCase());
      }),
    );
  });

  it('what ipv4Of and ipv6Of accept, Node accepts too', () => {
    const addressLike = fc.oneof(
      fc.stringMatching(/^[0-9.]{0,20}$/),
      fc.stringMatching(/^[0-9a-fA-F:.]{0,45}$/),
      fc.ipV4Extended(),
      fc.string(),
    );
    fc.assert(
      fc.property(addressLike, (text) => {
        if (ipv4Of(text) !== undefined) expect(isIPv4(text)).toBe(true);
        if (ipv6Of(text) !== undefined) expect(isIPv6(text)).toBe(true);
      }),
    );
  });
});

describe('task provenance — properties', () => {
  /** JSON of any shape, and pieces of ENIs, well-formed or not. */
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const detailArb = fc.oneof(
    jsonValue,
    fc.record({
      name: fc.oneof(
        fc.constantFrom(
          'networkInterfaceId',
          'privateIPv4Address',
          'ipv6Address',
          'subnetId',
          'macAddress',
          'privateDnsName',
          'portName',
        ),
        jsonValue,
      ),
      value: fc.oneof(
        jsonValue,
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4Extended(),
        fc.stringMatching(/^(eni|subnet)-[0-9a-f]{6,19}$/),
        fc.stringMatching(/^([0-9A-Fa-f]{2}:){4,6}[0-9A-Fa-f]{2}$/),
        fc.domain(),
      ),
    }),
  );
  const attachmentArb = fc.oneof(
    jsonValue,
    fc.record(
      {
        id: fc.oneof(fc.uuid(), jsonValue),
        type: fc.oneof(
          fc.constantFrom(
            'eni',
            'ElasticNetworkInterface',
            'Service Connect',
            'AmazonElasticBlockStorage',
          ),
          jsonValue,
        ),
        status: fc.constantFrom('PRECREATED', 'ATTACHED', 'DELETED'),
        details: fc.oneof(fc.array(detailArb, { maxLength: 10 }), jsonValue),
      },
      { requiredKeys: [] },
    ),
  );

  it('any attachment list maps, and only well-formed values are kept', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(attachmentArb, { maxLength: 6 }), jsonValue), (attachments) => {
        const event = fargateRunningWith((detail) => {
          detail['attachments'] = attachments;
        });

        const result = mapEvent(event);

        expect(result.kind).toBe('mapped');
        const network = result.kind === 'mapped' ? result.records[0]?.network : undefined;
        if (network === undefined) return;
        expect(Object.keys(network).length).toBeGreaterThan(0);
        if (network.interfaceId !== undefined)
          expect(network.interfaceId).toMatch(/^eni-[0-9a-f]{8,17}$/);
        if (network.subnetId !== undefined)
          expect(network.subnetId).toMatch(/^subnet-[0-9a-f]{8,17}$/);
        if (network.privateIpv4 !== undefined) expect(isIPv4(network.privateIpv4)).toBe(true);
        if (network.ipv6 !== undefined) expect(isIPv6(network.ipv6)).toBe(true);
        if (network.macAddress !== undefined)
          expect(network.macAddress).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        if (network.privateDnsName !== undefined)
          expect(network.privateDnsName).toMatch(/^[a-z0-9.-]+$/);
      }),
    );
  });

  it('a well-formed ENI comes through whole, wherever it is among other attachments', () => {
    const eniArb = fc.record({
      interfaceId: fc.stringMatching(/^eni-[0-9a-f]{17}$/),
      privateIpv4: fc.ipV4(),
      subnetId: fc.stringMatching(/^subnet-[0-9a-f]{17}$/),
      macAddress: fc.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/),
    });
    const otherArb = fc.record({
      type: fc.constantFrom('Service Connect', 'AmazonElasticBlockStorage'),
      details: fc.array(fc.record({ name: fc.string(), value: fc.string() }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(eniArb, fc.array(otherArb, { maxLength: 3 }), fc.nat(), (eni, others, at) => {
        const attachments: unknown[] = [...others];
        attachments.splice(at % (others.length + 1), 0, {
          id: 'c41d7e2a-9b3f-4e58-a1d6-2f0e8b7c5a93',
          type: 'eni',
          details: [
            { name: 'macAddress', value: eni.macAddress },
            { name: 'privateIPv4Address', value: eni.privateIpv4 },
            { name: 'networkInterfaceId', value: eni.interfaceId },
            { name: 'subnetId', value: eni.subnetId },
          ],
        });
        const event = fargateRunningWith((detail) => {
          detail['attachments'] = attachments;
          for (const container of detail['containers'] as Record<string, unknown>[])
            container['networkInterfaces'] = [];
        });

        expect(mappedRecords(event)[0]?.network).toEqual(eni);
      }),
    );
  });
});
