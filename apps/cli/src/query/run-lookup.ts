/**
 * The provenance lookups of `ecslog tasks` and the web view's search: the runs that held an
 * address, ran an image, or ran on a host, in a window. Parsing and the "what matched" column are
 * pure; {@link readLookup} asks the store's lookup readers (`runsAtAddress`, `runsOfImage`,
 * `runsOnInstance`: each one Query per day bucket, no Scan).
 */
import type { ReadControl, RunsRead } from '@ecslog/audit-store';
import type { ImageReference, InstanceTarget, TaskRun, TimeWindow } from '@ecslog/task-runs';
import {
  containerInstanceIdOf,
  parseAddress,
  parseImageReference,
  parseInstance,
  runHasImage,
} from '@ecslog/task-runs';

/** A lookup asked for, its value canonical. */
export type RunLookup =
  | { kind: 'address'; address: string }
  | { kind: 'image'; image: string; reference: ImageReference }
  | { kind: 'instance'; instance: string; target: InstanceTarget };

/** The options that ask for a lookup (`ecslog tasks`). */
export interface LookupOptions {
  ip?: string;
  image?: string;
  instance?: string;
}

/** A lookup value that names no address, image or instance; said in one line. */
export class BadLookupError extends Error {
  override readonly name = 'BadLookupError';
}

/** The store's lookup readers, as `@ecslog/audit-store`'s reader has them. */
export interface LookupReader {
  runsAtAddress(address: string, window: TimeWindow, control?: ReadControl): Promise<RunsRead>;
  runsOfImage(image: string, window: TimeWindow, control?: ReadControl): Promise<RunsRead>;
  runsOnInstance(
    instance: string,
    window: TimeWindow,
    control?: ReadControl,
  ): Promise<RunsRead & { containerInstanceArns: string[] }>;
}

/** The runs a lookup found, and for an instance the container instance ARNs it names. */
export interface LookupRead extends RunsRead {
  containerInstanceArns?: string[];
}

/**
 * The lookup `--ip`, `--image` or `--instance` asks for (at most one), or undefined.
 *
 * @example
 * runLookupOf({ ip: '2001:DB8::0:1' }); // { kind: 'address', address: '2001:db8::1' }
 * runLookupOf({ ip: '10.0.4.300' });    // throws BadLookupError('--ip: …')
 */
export function runLookupOf(options: LookupOptions): RunLookup | undefined {
  const given = (['ip', 'image', 'instance'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length > 1)
    throw new BadLookupError(
      `use one of --ip, --image, --instance, not ${given.map((name) => `--${name}`).join(' and ')}`,
    );
  if (options.ip !== undefined) {
    const parsed = parseAddress(options.ip.trim());
    if ('error' in parsed) throw new BadLookupError(`--ip: ${parsed.error}`);
    return { kind: 'address', address: parsed.value };
  }
  if (options.image !== undefined) {
    const image = options.image.trim();
    const parsed = parseImageReference(image);
    if ('error' in parsed) throw new BadLookupError(`--image: ${parsed.error}`);
    return { kind: 'image', image, reference: parsed };
  }
  if (options.instance !== undefined) {
    const instance = options.instance.trim();
    const parsed = parseInstance(instance);
    if ('error' in parsed) throw new BadLookupError(`--instance: ${parsed.error}`);
    return { kind: 'instance', instance, target: parsed };
  }
  return undefined;
}

/** The store's answer to a lookup in the window. */
export function readLookup(
  reader: LookupReader,
  lookup: RunLookup,
  window: TimeWindow,
  control?: ReadControl,
): Promise<LookupRead> {
  switch (lookup.kind) {
    case 'address':
      return reader.runsAtAddress(lookup.address, window, control);
    case 'image':
      return reader.runsOfImage(lookup.image, window, control);
    case 'instance':
      return reader.runsOnInstance(lookup.instance, window, control);
  }
}

/** The header of the column that says what matched. */
export function matchColumnOf(lookup: RunLookup): 'ADDRESS' | 'DIGEST' | 'HOST' {
  return lookup.kind === 'address' ? 'ADDRESS' : lookup.kind === 'image' ? 'DIGEST' : 'HOST';
}

/** Words for the closing line: `at address 10.0.4.17`, `of image web:v2`, `on instance i-0abc…`. */
export function describeLookup(lookup: RunLookup): string {
  if (lookup.kind === 'address') return `at address ${lookup.address}`;
  if (lookup.kind === 'image') return `of image ${lookup.image}`;
  return `on instance ${lookup.instance}`;
}

/**
 * What of the run matched: the address it held; the digests its containers of that image ran
 * (`-` while ECS had not reported one); the container instance it ran on, with the EC2 instance
 * when the lookup named one.
 */
export function matchedValueOf(run: TaskRun, lookup: RunLookup): string {
  switch (lookup.kind) {
    case 'address':
      return lookup.address;
    case 'image': {
      // The store's own matching rule, asked of one container at a time.
      const digests = (run.record.containers ?? [])
        .filter((container) =>
          runHasImage({ record: { ...run.record, containers: [container] } }, lookup.reference),
        )
        .map((container) => container.imageDigest)
        .filter((digest): digest is string => digest !== undefined);
      return [...new Set(digests)].join(', ') || '-';
    }
    case 'instance': {
      const host = containerInstanceIdOf(run.record.containerInstanceArn) ?? '-';
      return lookup.target.kind === 'ec2' ? `${lookup.target.ec2InstanceId} (${host})` : host;
    }
  }
}
