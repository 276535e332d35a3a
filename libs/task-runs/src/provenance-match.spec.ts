import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import {
  canonicalAddress,
  MAX_LOOKUP_TEXT,
  parseAddress,
  parseImageReference,
  parseInstance,
  parseLookupTarget,
  runHasAddress,
  runHasImage,
  runOnInstance,
} from './provenance-match';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web';
const INSTANCE_ARN =
  'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/0123456789abcdef0123456789abcdef';
const runOf = (record: Partial<AuditRecord>) => ({ record: record as AuditRecord });

describe('canonicalAddress', () => {
  it.each([
    ['10.0.4.17', '10.0.4.17'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['[fe80::1]', 'fe80::1'],
    ['::FFFF:10.0.0.1', '::ffff:10.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '::ffff:10.0.0.1'],
    ['2001:db8::10.0.0.1', '2001:db8::a00:1'],
  ])('%s → %s (RFC 5952 for IPv6)', (text, canonical) => {
    expect(canonicalAddress(text)).toBe(canonical);
  });

  it.each([
    ['10.0.4.300', 'IPv4 address with a number above 255: "10.0.4.300"'],
    ['010.0.4.17', 'IPv4 address with a leading zero (octal is not read): "010.0.4.17"'],
    ['10.0.4', 'not an IPv4 address (four numbers 0-255 joined by dots): "10.0.4"'],
    ['1::2::3', 'IPv6 address with "::" more than once: "1::2::3"'],
    ['fe80::1%eth0', 'IPv6 address with a zone (%…), which no task address has: "fe80::1%eth0"'],
    ['1:2:3:4:5:6:7', 'IPv6 address without 8 groups: "1:2:3:4:5:6:7"'],
    ['1:2:3:4:5:6:7::8', 'IPv6 address with "::" standing for no group: "1:2:3:4:5:6:7::8"'],
    ['10.0.0.1\u001b[2J', 'address "10.0.0.1\\u001b[2J" contains control characters'],
  ])('refuses %j in one line', (text, error) => {
    expect(parseAddress(text)).toEqual({ error });
  });

  it('gives every spelling of an IPv6 address the same text, which is a fixed point', () => {
    const spellingArb = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .chain((groups) =>
        fc.record({
          groups: fc.constant(groups),
          pad: fc.boolean(),
          upper: fc.boolean(),
          compress: fc.option(fc.nat(7)),
        }),
      );
    fc.assert(
      fc.property(spellingArb, ({ groups, pad, upper, compress }) => {
        let parts = groups.map((g) => g.toString(16).padStart(pad ? 4 : 1, '0'));
        if (upper) parts = parts.map((p) => p.toUpperCase());
        let text = parts.join(':');
        // Compress one run of zero groups starting at `compress`, if it starts one.
        if (compress !== null && groups[compress] === 0) {
          let end = compress;
          while (end < 8 && groups[end] === 0) end += 1;
          text = `${parts.slice(0, compress).join(':')}::${parts.slice(end).join(':')}`;
        }
        const canonical = canonicalAddress(text);
        const plain = canonicalAddress(groups.map((g) => g.toString(16)).join(':'));
        expect(canonical).toBeDefined();
        expect(canonical).toBe(plain);
        expect(canonicalAddress(canonical as string)).toBe(canonical);
        expect(canonical).not.toMatch(/[A-F]|:::|(^|:)0[0-9a-f]/);
      }),
    );
  });
});

describe('parseImageReference', () => {
  it.each([
    [DIGEST, { digest: DIGEST }],
    [`SHA256:${'AB12'.repeat(16)}`, { digest: DIGEST }],
    [`${ECR}:v1.2`, { repository: ECR, tag: 'v1.2' }],
    [ECR, { repository: ECR }],
    [`${ECR}@${DIGEST}`, { repository: ECR, digest: DIGEST }],
    [`${ECR}:v1@${DIGEST}`, { repository: ECR, tag: 'v1', digest: DIGEST }],
    ['localhost:5000/team/app:latest', { repository: 'localhost:5000/team/app', tag: 'latest' }],
    ['nginx', { repository: 'nginx' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it.each([
    ['sha256:abc', 'sha256 digest must have 64 hex digits, this one has 3'],
    [`sha256:${'a'.repeat(65)}`, 'sha256 digest must have 64 hex digits, this one has 65'],
    [
      `sha256:${'g'.repeat(64)}`,
      `sha256 digest with characters that are not hex digits: "sha256:${'g'.repeat(53)}…"`,
    ],
    [`${ECR}@md5:abc`, 'not a sha256 image digest (sha256: and 64 hex digits): "md5:abc"'],
    [
      'Web/App:v1',
      'not an image reference (repository[:tag], repository@sha256:…, or sha256:…): "Web/App:v1"',
    ],
    ['web:v 1', 'not an image tag (letters, digits, _ . -; at most 128): "v 1"'],
    [`${'a'.repeat(300)}:v1`, 'image repository too long: 300 characters (at most 255)'],
    [
      'a'.repeat(MAX_LOOKUP_TEXT + 1),
      `image too long: ${MAX_LOOKUP_TEXT + 1} characters (at most ${MAX_LOOKUP_TEXT})`,
    ],
  ])('refuses %j in one line', (text, error) => {
    expect(parseImageReference(text)).toEqual({ error });
  });
});

describe('parseInstance', () => {
  it('reads an EC2 instance id, a container instance ARN (new and old format) and an id', () => {
    expect(parseInstance('i-0abc1234def567890')).toEqual({
      kind: 'ec2',
      ec2InstanceId: 'i-0abc1234def567890',
    });
    expect(parseInstance(INSTANCE_ARN)).toEqual({
      kind: 'container-instance',
      id: '0123456789abcdef0123456789abcdef',
      arn: INSTANCE_ARN,
    });
    const old =
      'arn:aws:ecs:us-east-1:123456789012:container-instance/8c2d5e8b-1f3a-4d6e-9b7c-0a1b2c3d4e5f';
    expect(parseInstance(old)).toMatchObject({ id: '8c2d5e8b-1f3a-4d6e-9b7c-0a1b2c3d4e5f' });
    expect(parseInstance('0123456789abcdef0123456789abcdef')).toEqual({
      kind: 'container-instance',
      id: '0123456789abcdef0123456789abcdef',
    });
  });

  it.each([
    ['i-0ABC', 'not an EC2 instance id (i- and 8 or 17 lower-case hex digits): "i-0ABC"'],
    [
      'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef',
      'not a container instance ARN: "arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcde…"',
    ],
    ['host-7', 'not an instance (i-…, a container instance ARN or its id): "host-7"'],
  ])('refuses %j in one line', (text, error) => {
    expect(parseInstance(text)).toEqual({ error });
  });
});

// eslint-disable-next-line no-control-regex -- what the answers must not hold
const CONTROL = /[\u0000-\u001f]/;

describe('parseLookupTarget', () => {
  it.each([
    [' 10.0.4.17 ', { kind: 'address', value: '10.0.4.17' }],
    ['2001:DB8::0:1', { kind: 'address', value: '2001:db8::1' }],
    [
      '0123456789abcdef0123456789abcdef',
      { kind: 'task', value: '0123456789abcdef0123456789abcdef' },
    ],
    [
      'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef',
      {
        kind: 'task',
        value: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef',
      },
    ],
    ['i-0abc1234def567890', { kind: 'instance', value: 'i-0abc1234def567890' }],
    [INSTANCE_ARN, { kind: 'instance', value: INSTANCE_ARN }],
    [DIGEST, { kind: 'image', value: DIGEST }],
    [`${ECR}:v1`, { kind: 'image', value: `${ECR}:v1` }],
    ['nginx:1.27', { kind: 'image', value: 'nginx:1.27' }],
  ])('%j', (text, expected) => {
    expect(parseLookupTarget(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty search text'],
    ['   ', 'empty search text'],
    ['sha256:abc', 'sha256 digest must have 64 hex digits, this one has 3'],
    ['10.0.4.256', 'IPv4 address with a number above 255: "10.0.4.256"'],
    ['web\u0007', 'search text "web\\u0007" contains control characters'],
    ['x'.repeat(5000), `search text too long: 5000 characters (at most ${MAX_LOOKUP_TEXT})`],
    [
      'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      'not a task or container instance ARN: "arn:aws:ecs:eu-west-1:123456789012:service/prod/web"',
    ],
  ])('refuses %j with one line', (text, error) => {
    const target = parseLookupTarget(text);
    expect(target).toEqual({ kind: 'invalid', error });
    expect(error).not.toMatch(/\n/);
  });

  it('never throws and answers in one line, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1100, unit: 'binary' }), (text) => {
        const target = parseLookupTarget(text);
        if (target.kind === 'invalid') expect(target.error).not.toMatch(CONTROL);
        else expect(target.value).not.toMatch(/\s/);
      }),
    );
  });
});

describe('run matching', () => {
  const run = runOf({
    network: { privateIpv4: '10.0.4.17', ipv6: '2001:db8:0:0::1' },
    containerInstanceArn: INSTANCE_ARN,
    containers: [
      { name: 'web', image: `${ECR}:v1`, imageDigest: DIGEST },
      { name: 'proxy', image: `envoyproxy/envoy@sha256:${'cd'.repeat(32)}` },
    ],
  });

  it('matches the task ENI addresses in any spelling', () => {
    expect(runHasAddress(run, '10.0.4.17')).toBe(true);
    expect(runHasAddress(run, '2001:DB8::1')).toBe(true);
    expect(runHasAddress(run, '10.0.4.18')).toBe(false);
    expect(runHasAddress(runOf({}), '10.0.4.17')).toBe(false);
  });

  it('matches an image by digest, repository and tag', () => {
    expect(runHasImage(run, DIGEST)).toBe(true);
    expect(runHasImage(run, ECR)).toBe(true);
    expect(runHasImage(run, `${ECR}:v1`)).toBe(true);
    expect(runHasImage(run, `${ECR}:v2`)).toBe(false);
    expect(runHasImage(run, `${ECR}@${DIGEST}`)).toBe(true);
    expect(runHasImage(run, `sha256:${'cd'.repeat(32)}`)).toBe(true);
    expect(runHasImage(run, 'envoyproxy/envoy')).toBe(true);
    expect(runHasImage(run, 'sha256:abc')).toBe(false);
  });

  it('matches the container instance by id or ARN', () => {
    expect(runOnInstance(run, '0123456789abcdef0123456789abcdef')).toBe(true);
    expect(runOnInstance(run, INSTANCE_ARN)).toBe(true);
    expect(runOnInstance(run, 'ffffffffffffffffffffffffffffffff')).toBe(false);
    expect(runOnInstance(runOf({}), '0123456789abcdef0123456789abcdef')).toBe(false);
  });
});
