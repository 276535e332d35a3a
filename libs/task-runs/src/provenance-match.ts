/**
 * Provenance lookups, pure: what a search text names (a task, an address, an image, an
 * instance), each in one canonical form, and whether a run matches it. The store writes its
 * lookup keys with these canonical forms and the readers canonicalise what they are asked the
 * same way, so `2001:DB8:0:0::1` finds the task that ECS reported as `2001:db8::1`.
 *
 * Bad input is never guessed at: each parser returns a clear one-line `error` instead (overlong
 * text, control characters, a `sha256:` digest of the wrong length, an address out of range).
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from './task-runs';

/** What a search text names. */
export type LookupKind = 'address' | 'image' | 'instance' | 'task';

/** A search text, understood: its kind and its canonical value. */
export interface LookupTarget {
  kind: LookupKind;
  /**
   * `address`: the canonical address ({@link canonicalAddress}); `image`: the reference as
   * {@link parseImageReference} canonicalises it; `instance`: an `i-…` id, a container instance
   * ARN or id; `task`: a task id or ARN.
   */
  value: string;
}

/** A text that names nothing this lookup knows: `error` says why, in one line. */
export interface InvalidLookupTarget {
  kind: 'invalid';
  error: string;
}

/** An image as a lookup matches it: by digest, by repository (and tag), or both. */
export interface ImageReference {
  /** Without tag or digest, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web`. */
  repository?: string;
  tag?: string;
  /** `sha256:` and 64 lower-case hex digits. */
  digest?: string;
}

/** Which container instance a lookup names. */
export type InstanceTarget =
  { kind: 'ec2'; ec2InstanceId: string } | { kind: 'container-instance'; id: string; arn?: string };

/** Longest search text read: anything longer is refused, not cut. */
export const MAX_LOOKUP_TEXT = 1024;
/** OCI: a repository name, registry included, is at most 255 characters; a tag at most 128. */
const MAX_REPOSITORY = 255;

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const LOOKS_IPV4 = /^[\d.]+$/;
const LOOKS_IPV6 = /^\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(?:%.*)?\]?$/;
const EC2_INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const TASK_OR_INSTANCE_ID = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:([a-z-]+)\/([A-Za-z0-9/_-]+)$/;
const SHA256_PREFIX = 'sha256:';
const HEX = /^[0-9a-f]+$/i;
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The text, quoted for an error line: JSON-escaped (no control character gets through), cut. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** The checks every search text gets first: not empty, not overlong, no control characters. */
function textProblem(text: string, what: string): string | undefined {
  if (text.length === 0) return `empty ${what}`;
  if (text.length > MAX_LOOKUP_TEXT)
    return `${what} too long: ${text.length} characters (at most ${MAX_LOOKUP_TEXT})`;
  if (CONTROL.test(text)) return `${what} ${quoted(text)} contains control characters`;
  return undefined;
}

/**
 * An IPv4 or IPv6 address in its canonical form — IPv4 as a dotted quad without leading zeros;
 * IPv6 in RFC 5952's form (lower case, no leading zeros, the longest run of two or more zero
 * groups as `::`, an IPv4-mapped address with its dotted tail) — or undefined when the text is
 * not an address. For stored values; {@link parseAddress} says what is wrong with a text.
 *
 * @example
 * canonicalAddress('2001:DB8:0:0:0:0:0:1'); // '2001:db8::1'
 */
export function canonicalAddress(text: string): string | undefined {
  const parsed = parseAddress(text);
  return 'error' in parsed ? undefined : parsed.value;
}

/** An address, canonical ({@link canonicalAddress}), or what is wrong with it. */
export function parseAddress(text: string): { value: string } | { error: string } {
  const problem = textProblem(text, 'address');
  if (problem !== undefined) return { error: problem };
  if (!text.includes(':')) {
    if (!IPV4_SHAPE.test(text))
      return { error: `not an IPv4 address (four numbers 0-255 joined by dots): ${quoted(text)}` };
    const octets = text.split('.');
    if (octets.some((octet) => octet.length > 1 && octet.startsWith('0')))
      return { error: `IPv4 address with a leading zero (octal is not read): ${quoted(text)}` };
    if (octets.some((octet) => Number(octet) > 255))
      return { error: `IPv4 address with a number above 255: ${quoted(text)}` };
    return { value: text };
  }
  const groups = ipv6Groups(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  if (typeof groups === 'string') return { error: `${groups}: ${quoted(text)}` };
  return { value: formatIpv6(groups) };
}

/** The eight 16-bit groups of an IPv6 address, or what is wrong with it. */
function ipv6Groups(text: string): number[] | string {
  if (text.includes('%')) return 'IPv6 address with a zone (%…), which no task address has';
  if (text.length > 45) return 'not an IPv6 address (too long)';
  const halves = text.split('::');
  if (halves.length > 2) return 'IPv6 address with "::" more than once';
  const parts = halves.map((half) => (half === '' ? [] : half.split(':')));
  const groups: number[][] = [[], []];
  for (let h = 0; h < parts.length; h++) {
    const list = parts[h] as string[];
    for (let p = 0; p < list.length; p++) {
      const part = list[p] as string;
      const last = h === parts.length - 1 && p === list.length - 1;
      if (last && part.includes('.')) {
        const tail = parseAddress(part);
        if ('error' in tail || part.includes(':')) return 'IPv6 address with a bad IPv4 tail';
        const [a, b, c, d] = tail.value.split('.').map(Number) as [number, number, number, number];
        groups[h]?.push((a << 8) | b, (c << 8) | d);
      } else if (part.length >= 1 && part.length <= 4 && HEX.test(part))
        groups[h]?.push(parseInt(part, 16));
      else return 'not an IPv6 address (groups of 1-4 hex digits joined by colons)';
    }
  }
  const [head, tail] = groups as [number[], number[]];
  if (halves.length === 1) return head.length === 8 ? head : 'IPv6 address without 8 groups';
  if (head.length + tail.length > 7) return 'IPv6 address with "::" standing for no group';
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 text of eight groups. */
function formatIpv6(groups: number[]): string {
  // IPv4-mapped (::ffff:0:0/96): RFC 5952 section 5 keeps the dotted tail.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * An image reference as a lookup matches it: `sha256:<64 hex>` (a digest), `repository[:tag]`,
 * or `repository@sha256:<64 hex>` (tag allowed before the `@`). The registry host is kept as
 * written (case folded); the repository path must be lower case, as OCI names are.
 */
export function parseImageReference(text: string): ImageReference | { error: string } {
  const problem = textProblem(text, 'image');
  if (problem !== undefined) return { error: problem };
  const at = text.indexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  let digest: string | undefined;
  if (at >= 0 || text.toLowerCase().startsWith(SHA256_PREFIX)) {
    const parsed = parseDigest(at < 0 ? text : text.slice(at + 1));
    if ('error' in parsed) return parsed;
    digest = parsed.value;
    if (at < 0) return { digest };
  }
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repositoryText = colon < 0 ? name : name.slice(0, colon);
  const tag = colon < 0 ? undefined : name.slice(colon + 1);
  const repository = canonicalRepository(repositoryText);
  if (repository === undefined)
    return {
      error:
        repositoryText.length > MAX_REPOSITORY
          ? `image repository too long: ${repositoryText.length} characters (at most ${MAX_REPOSITORY})`
          : `not an image reference (repository[:tag], repository@sha256:…, or sha256:…): ${quoted(text)}`,
    };
  if (tag !== undefined && !TAG.test(tag))
    return { error: `not an image tag (letters, digits, _ . -; at most 128): ${quoted(tag)}` };
  return { repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `sha256:` and 64 hex digits (lower-cased), or what is wrong with it. */
export function parseDigest(text: string): { value: string } | { error: string } {
  if (!text.toLowerCase().startsWith(SHA256_PREFIX))
    return { error: `not a sha256 image digest (sha256: and 64 hex digits): ${quoted(text)}` };
  const hex = text.slice(SHA256_PREFIX.length);
  if (!HEX.test(hex) && hex.length > 0)
    return { error: `sha256 digest with characters that are not hex digits: ${quoted(text)}` };
  if (hex.length !== 64)
    return { error: `sha256 digest must have 64 hex digits, this one has ${hex.length}` };
  return { value: `${SHA256_PREFIX}${hex.toLowerCase()}` };
}

/** A repository name (registry host optional, lower-cased), or undefined. */
function canonicalRepository(text: string): string | undefined {
  if (text.length === 0 || text.length > MAX_REPOSITORY) return undefined;
  const components = text.split('/');
  const first = components[0] as string;
  // The first component is a registry host when it looks like one (a dot, a port, localhost).
  const isRegistry =
    components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isRegistry && !REGISTRY.test(first)) return undefined;
  const path = isRegistry ? components.slice(1) : components;
  if (path.length === 0 || !path.every((component) => PATH_COMPONENT.test(component)))
    return undefined;
  return isRegistry ? [first.toLowerCase(), ...path].join('/') : text;
}

/** The canonical text of an image reference (the form a lookup target's value has). */
export function imageReferenceText(image: ImageReference): string {
  if (image.repository === undefined) return image.digest ?? '';
  return `${image.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${image.digest !== undefined ? `@${image.digest}` : ''}`;
}

/**
 * A container instance a lookup names: an EC2 instance id (`i-` and 8 or 17 hex digits), a
 * container instance ARN (`arn:aws:ecs:…:container-instance/[cluster/]id`), or its id (32 hex
 * digits, or a UUID in the older ARN format).
 */
export function parseInstance(text: string): InstanceTarget | { error: string } {
  const problem = textProblem(text, 'instance');
  if (problem !== undefined) return { error: problem };
  if (text.startsWith('i-')) {
    if (EC2_INSTANCE_ID.test(text)) return { kind: 'ec2', ec2InstanceId: text };
    return {
      error: `not an EC2 instance id (i- and 8 or 17 lower-case hex digits): ${quoted(text)}`,
    };
  }
  if (text.startsWith('arn:')) {
    const match = ECS_ARN.exec(text);
    const id = match?.[2]?.split('/').at(-1);
    if (match?.[1] !== 'container-instance' || id === undefined || !isInstanceId(id))
      return { error: `not a container instance ARN: ${quoted(text)}` };
    return { kind: 'container-instance', id, arn: text };
  }
  if (isInstanceId(text)) return { kind: 'container-instance', id: text };
  return {
    error: `not an instance (i-…, a container instance ARN or its id): ${quoted(text)}`,
  };
}

function isInstanceId(text: string): boolean {
  return TASK_OR_INSTANCE_ID.test(text) || UUID.test(text);
}

/**
 * What a search text names: a task (its id, 32 hex digits or a UUID, or its ARN), an address
 * (IPv4 or IPv6), an instance (`i-…`, a container instance ARN), or an image (a digest or a
 * reference) — each canonical — or `kind: 'invalid'` with a one-line `error`. A bare 32-hex id
 * is read as a task id (container instance ids have the same shape: use the ARN for those).
 *
 * @example
 * parseLookupTarget(' 10.0.4.17 '); // { kind: 'address', value: '10.0.4.17' }
 * parseLookupTarget('sha256:abc');  // { kind: 'invalid', error: 'sha256 digest must have 64 hex digits, this one has 3' }
 */
export function parseLookupTarget(text: string): LookupTarget | InvalidLookupTarget {
  const invalid = (error: string): InvalidLookupTarget => ({ kind: 'invalid', error });
  if (text.length > MAX_LOOKUP_TEXT)
    return invalid(`search text too long: ${text.length} characters (at most ${MAX_LOOKUP_TEXT})`);
  const trimmed = text.trim();
  const problem = textProblem(trimmed, 'search text');
  if (problem !== undefined) return invalid(problem);
  if (TASK_OR_INSTANCE_ID.test(trimmed) || UUID.test(trimmed))
    return { kind: 'task', value: trimmed };
  if (trimmed.startsWith('arn:')) {
    const type = ECS_ARN.exec(trimmed)?.[1];
    if (type === 'task') return { kind: 'task', value: trimmed };
    if (type === 'container-instance') {
      const instance = parseInstance(trimmed);
      return 'error' in instance ? invalid(instance.error) : { kind: 'instance', value: trimmed };
    }
    return invalid(`not a task or container instance ARN: ${quoted(trimmed)}`);
  }
  if (trimmed.startsWith('i-')) {
    const instance = parseInstance(trimmed);
    return 'error' in instance ? invalid(instance.error) : { kind: 'instance', value: trimmed };
  }
  if (LOOKS_IPV4.test(trimmed) || (LOOKS_IPV6.test(trimmed) && !/^[^:]*:[^:]*$/.test(trimmed))) {
    const address = parseAddress(trimmed);
    return 'error' in address ? invalid(address.error) : { kind: 'address', value: address.value };
  }
  const image = parseImageReference(trimmed);
  if ('error' in image) return invalid(image.error);
  return { kind: 'image', value: imageReferenceText(image) };
}

/**
 * The addresses a task's record gives it, canonical: its ENI's private IPv4, then its IPv6. (The
 * containers' own interfaces are on that ENI: the mapper fills the ENI's addresses from them when
 * its details have none.)
 */
export function addressesOf(record: Pick<AuditRecord, 'network'>): string[] {
  const found: string[] = [];
  for (const text of [record.network?.privateIpv4, record.network?.ipv6]) {
    const address = text === undefined ? undefined : canonicalAddress(text);
    if (address !== undefined && !found.includes(address)) found.push(address);
  }
  return found;
}

/** True when the run's task held the address (any text form: it is canonicalised). */
export function runHasAddress(run: Pick<TaskRun, 'record'>, address: string): boolean {
  const wanted = canonicalAddress(address);
  return wanted !== undefined && addressesOf(run.record).includes(wanted);
}

/** The image references a record's containers ran, parsed (digests from `imageDigest` too). */
export function imagesOf(record: AuditRecord): ImageReference[] {
  const images: ImageReference[] = [];
  for (const container of record.containers ?? []) {
    const parsed = container.image === undefined ? undefined : parseImageReference(container.image);
    const reference: ImageReference = parsed === undefined || 'error' in parsed ? {} : parsed;
    const digest =
      container.imageDigest === undefined ? undefined : parseDigest(container.imageDigest);
    if (digest !== undefined && !('error' in digest)) reference.digest = digest.value;
    if (reference.repository !== undefined || reference.digest !== undefined)
      images.push(reference);
  }
  return images;
}

/**
 * True when a container of the run ran the image: the same digest (when the image names one)
 * and the same repository (when it names one) and tag (when it names one).
 */
export function runHasImage(run: Pick<TaskRun, 'record'>, image: ImageReference | string): boolean {
  const wanted = typeof image === 'string' ? parseImageReference(image) : image;
  if ('error' in wanted || (wanted.repository === undefined && wanted.digest === undefined))
    return false;
  return imagesOf(run.record).some(
    (ran) =>
      (wanted.digest === undefined || ran.digest === wanted.digest) &&
      (wanted.repository === undefined || ran.repository === wanted.repository) &&
      (wanted.tag === undefined || ran.tag === wanted.tag),
  );
}

/** The id of a container instance ARN (its last part), or undefined. */
export function containerInstanceIdOf(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const id = ECS_ARN.exec(arn)?.[2]?.split('/').at(-1);
  return id !== undefined && isInstanceId(id) ? id : undefined;
}

/** True when the run's task ran on the container instance (its id, or its ARN). */
export function runOnInstance(run: Pick<TaskRun, 'record'>, instance: string): boolean {
  const id = instance.startsWith('arn:') ? containerInstanceIdOf(instance) : instance;
  return id !== undefined && containerInstanceIdOf(run.record.containerInstanceArn) === id;
}
