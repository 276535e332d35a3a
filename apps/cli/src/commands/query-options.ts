/**
 * The options every query command defines (`--json`, `--utc`, the store options, a time range) and
 * their help. Light on purpose: the command definitions load it for `ecslog --help`, so it loads
 * nothing of what a query runs (see query-support.ts for that).
 */
import type { Command } from 'commander';
import { addStoreOptions, STORE_HELP } from './store-options';

/** What `--json` prints, for every query command's help. */
export const JSON_HELP = `
--json prints one AuditRecord per line, exactly as stored: schema version 2 (version 1, written
before task provenance, lacks the containers' imageDigest, runtimeId and networkInterfaces and
the task's platformVersion, containerInstanceArn and network). A task run's line (ecslog tasks) is
the record that tells the run (its latest state) with the run's fields added under one key:
  "run": { "start": ISO time, "end": "open" | "stopped" | "not-started" | "not-recorded" | "closed",
           "endTime"?: ISO time, "neverStarted": boolean, "knownOnlyBy"?: "start-call" | "stop-call",
           "matched"?: { "address" } | { "digests": [...] } | { "host" } }   (with --ip, --image, --instance)
A line of ecslog task has the task's provenance (all its records taken together) under "provenance":
  { "containers": [{ "name", "image"?, "imageDigest"?, "runtimeId"?, "addresses": [IPv4/IPv6] }],
    "launchType"?, "capacityProviderName"?, "platformVersion"?, "network"?: { "interfaceId"?,
    "privateIpv4"?, "ipv6"?, "subnetId"?, "macAddress"?, "privateDnsName"? },
    "containerInstanceArn"?, "ec2InstanceId"?, "startedBy"?, "deployment"?: "ecs-svc/…",
    "startCall"?: { "eventName": "RunTask" | "StartTask", "caller"?, "eventTime" } }`;

/** Adds `--json`, `--utc` and the store options, and the `--json` and store help. */
export function addQueryOptions(command: Command): Command {
  return addStoreOptions(
    command
      .option(
        '--json',
        'print NDJSON AuditRecords (schema version 2, or 1 when stored so) instead of a table',
      )
      .option('--utc', 'show times in UTC (default: local time)'),
  )
    .addHelpText('after', JSON_HELP)
    .addHelpText('after', STORE_HELP);
}

/** Adds `--since`, `--from` and `--to`; `defaultSince` is the range when none is given. */
export function addTimeRangeOptions(command: Command, defaultSince: string): Command {
  return command
    .option(
      '--since <duration>',
      `the range back from now: 30m, 24h, 7d, 2w (default ${defaultSince})`,
    )
    .option('--from <time>', 'start of the range (ISO-8601; zone-less is UTC)')
    .option('--to <time>', 'end of the range (default now; a bare date means its end)');
}
