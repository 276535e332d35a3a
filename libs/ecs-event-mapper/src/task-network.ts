import type { ContainerNetworkInterface, TaskNetwork } from './audit-record';
import { isArnOfType } from './ecs-arn';
import { isJsonObject } from './field-reader';

/**
 * Provenance values of a task: its ENI, its containers' image digests, runtime ids and addresses,
 * its platform version and container instance. They are read leniently — a value that is not
 * well-formed is left out, never a problem — because they describe the task rather than its state
 * change: a new attachment type or an odd detail from ECS must not make a state change
 * unreadable. Only well-formed values are kept, so what the lookups and the lake compare (an
 * address, a digest) is what ECS meant, and a hostile event cannot plant megabytes in one.
 */

/** Attachments read per task, and network interfaces per container: ECS sends one or two. */
const MAX_ATTACHMENTS = 16;
const MAX_INTERFACES = 4;
/** Key/value details read per attachment (an ENI has six). */
const MAX_DETAILS = 32;
/** Longest platform version, runtime id or private DNS name kept. */
const MAX_TEXT = 255;

/** ECS calls a task's ENI `eni` in events and `ElasticNetworkInterface` in API responses. */
const isEniType = (type: unknown) => type === 'eni' || type === 'ElasticNetworkInterface';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
const ENI_ID = /^eni-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
/** An OCI content digest (`algorithm:encoded`), e.g. `sha256:` and 64 hex digits. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,128}$/;
/** Printable ASCII without spaces: versions and runtime ids. */
const TOKEN = /^[\x21-\x7e]+$/;

/** A dotted-quad IPv4 address (no leading zeros), or undefined. */
export function ipv4Of(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 15 && IPV4.test(value) ? value : undefined;
}

/**
 * An IPv6 address in lower case (eight hex groups, `::` once at most, an IPv4 tail allowed; no
 * zone), or undefined.
 */
export function ipv6Of(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 2 || value.length > 45) return undefined;
  const address = value.toLowerCase();
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] as string;
    if (half === '') continue;
    const parts = half.split(':');
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as string;
      const lastOfAll = h === halves.length - 1 && p === parts.length - 1;
      if (lastOfAll && part.includes('.')) {
        if (ipv4Of(part) === undefined) return undefined;
        groups += 2;
      } else if (HEX_GROUP.test(part)) groups += 1;
      else return undefined;
    }
  }
  const compressed = halves.length === 2;
  return (compressed ? groups < 8 : groups === 8) ? address : undefined;
}

/** A MAC address in lower case (`06:3f:9a:2c:71:d4`), or undefined. */
export function macAddressOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length !== 17) return undefined;
  const mac = value.toLowerCase();
  return MAC.test(mac) ? mac : undefined;
}

/** An image digest (`sha256:…`, an OCI `algorithm:encoded` digest), or undefined. */
export function imageDigestOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 200 && DIGEST.test(value) ? value : undefined;
}

/** A printable token without spaces (a platform version, a container runtime id), or undefined. */
export function tokenOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_TEXT && TOKEN.test(value)
    ? value
    : undefined;
}

/** A container instance ARN, or undefined. */
export function containerInstanceArnOf(value: unknown): string | undefined {
  return typeof value === 'string' &&
    value.length <= 1600 &&
    isArnOfType(value, 'container-instance')
    ? value
    : undefined;
}

/**
 * The task's ENI from its `attachments` (a Task's `attachments[]` of type `eni` or
 * `ElasticNetworkInterface`, `details[]` name/value pairs), its addresses taken from the
 * containers' `networkInterfaces` on the same attachment when the details have none; undefined
 * when the task has no ENI (bridge and host network modes) or nothing in it is well-formed. The
 * first ENI attachment with a well-formed value is the task's: awsvpc gives a task exactly one.
 */
export function taskNetworkOf(attachments: unknown, containers: unknown): TaskNetwork | undefined {
  if (!Array.isArray(attachments)) return undefined;
  const count = Math.min(attachments.length, MAX_ATTACHMENTS);
  for (let index = 0; index < count; index++) {
    const attachment: unknown = attachments[index];
    if (!isJsonObject(attachment) || !isEniType(attachment['type'])) continue;
    const network = eniOf(attachment['details'], attachment['id'], containers);
    if (network !== undefined) return network;
  }
  return undefined;
}

/** The ENI's well-formed details, in one fixed field order (whatever order ECS lists them in). */
function eniOf(
  details: unknown,
  attachmentId: unknown,
  containers: unknown,
): TaskNetwork | undefined {
  let interfaceId: string | undefined;
  let privateIpv4: string | undefined;
  let ipv6: string | undefined;
  let subnetId: string | undefined;
  let macAddress: string | undefined;
  let privateDnsName: string | undefined;
  const count = Array.isArray(details) ? Math.min(details.length, MAX_DETAILS) : 0;
  for (let index = 0; index < count; index++) {
    const detail: unknown = (details as unknown[])[index];
    if (!isJsonObject(detail)) continue;
    const value = detail['value'];
    // The first well-formed value of a name counts; a repeated name does not overwrite it.
    switch (detail['name']) {
      case 'networkInterfaceId':
        interfaceId ??= matching(value, ENI_ID);
        break;
      case 'privateIPv4Address':
        privateIpv4 ??= ipv4Of(value);
        break;
      case 'ipv6Address':
        ipv6 ??= ipv6Of(value);
        break;
      case 'subnetId':
        subnetId ??= matching(value, SUBNET_ID);
        break;
      case 'macAddress':
        macAddress ??= macAddressOf(value);
        break;
      case 'privateDnsName':
        privateDnsName ??= dnsNameOf(value);
    }
  }
  if (privateIpv4 === undefined && ipv6 === undefined && typeof attachmentId === 'string') {
    const addresses = containerAddressesOn(attachmentId, containers);
    privateIpv4 = addresses?.privateIpv4;
    ipv6 = addresses?.ipv6;
  }
  const values = [interfaceId, privateIpv4, ipv6, subnetId, macAddress, privateDnsName];
  if (values.every((v) => v === undefined)) return undefined;
  const network: TaskNetwork = {};
  if (interfaceId !== undefined) network.interfaceId = interfaceId;
  if (privateIpv4 !== undefined) network.privateIpv4 = privateIpv4;
  if (ipv6 !== undefined) network.ipv6 = ipv6;
  if (subnetId !== undefined) network.subnetId = subnetId;
  if (macAddress !== undefined) network.macAddress = macAddress;
  if (privateDnsName !== undefined) network.privateDnsName = privateDnsName;
  return network;
}

/** The first addresses a container reports on attachment `attachmentId`, if any. */
function containerAddressesOn(
  attachmentId: string,
  containers: unknown,
): ContainerNetworkInterface | undefined {
  if (attachmentId === '' || !Array.isArray(containers)) return undefined;
  const count = Math.min(containers.length, MAX_ATTACHMENTS);
  for (let c = 0; c < count; c++) {
    const container: unknown = containers[c];
    const nics = isJsonObject(container) ? container['networkInterfaces'] : undefined;
    if (!Array.isArray(nics)) continue;
    for (let n = 0; n < Math.min(nics.length, MAX_INTERFACES); n++) {
      const nic: unknown = nics[n];
      if (!isJsonObject(nic) || nic['attachmentId'] !== attachmentId) continue;
      const privateIpv4 = ipv4Of(nic['privateIpv4Address']);
      const ipv6 = ipv6Of(nic['ipv6Address']);
      if (privateIpv4 !== undefined || ipv6 !== undefined) return { privateIpv4, ipv6 };
    }
  }
  return undefined;
}

/**
 * A container's addresses from its `networkInterfaces` (`{ attachmentId, privateIpv4Address,
 * ipv6Address }`): the well-formed ones; undefined when there are none.
 */
export function containerNetworkInterfacesOf(
  value: unknown,
): ContainerNetworkInterface[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  let interfaces: ContainerNetworkInterface[] | undefined;
  for (let index = 0; index < value.length && (interfaces?.length ?? 0) < MAX_INTERFACES; index++) {
    const nic: unknown = value[index];
    if (!isJsonObject(nic)) continue;
    const privateIpv4 = ipv4Of(nic['privateIpv4Address']);
    const ipv6 = ipv6Of(nic['ipv6Address']);
    if (privateIpv4 === undefined && ipv6 === undefined) continue;
    const out: ContainerNetworkInterface = {};
    if (privateIpv4 !== undefined) out.privateIpv4 = privateIpv4;
    if (ipv6 !== undefined) out.ipv6 = ipv6;
    (interfaces ??= []).push(out);
  }
  return interfaces;
}

function matching(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && value.length <= 32 && pattern.test(value) ? value : undefined;
}

/** A host name in lower case: labels of letters, digits and inner hyphens, or undefined. */
function dnsNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_TEXT) return undefined;
  const name = value.toLowerCase();
  return DNS_NAME.test(name) ? name : undefined;
}
