/**
 * Failures grouped by category and by service or task family: what `ecslog failures` shows. Pure.
 */
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';

export interface FailureGroup {
  category: FailureCategory;
  /** `service:NAME`, `family:NAME`, or the cluster name when the records have no group. */
  group: string;
  clusterName: string;
  /** Failures: distinct tasks for task records (a task fails once however many of its state changes say so), else each record. */
  count: number;
  /** Failure records (a task can have more than one failed state change). */
  records: number;
  firstSeen: string;
  lastSeen: string;
  /** Up to `EXAMPLES` distinct summaries, oldest first. */
  examples: string[];
}

const EXAMPLES = 2;

/**
 * Groups failure records; groups come in the category order of {@link FAILURE_CATEGORIES}, then
 * by count (most first), then by name.
 */
export function groupFailures(records: readonly AuditRecord[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup & { resources: Set<string> }>();
  const byTime = [...records].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  for (const record of byTime) {
    const category = record.outcome.category ?? 'other';
    const group = record.group ?? groupName(record);
    const key = `${category}\u0000${record.clusterArn}\u0000${group}`;
    let entry = groups.get(key);
    if (!entry) {
      entry = {
        category,
        group,
        clusterName: record.clusterName,
        count: 0,
        records: 0,
        firstSeen: record.eventTime,
        lastSeen: record.eventTime,
        examples: [],
        resources: new Set(),
      };
      groups.set(key, entry);
    }
    entry.resources.add(record.recordType === 'task' ? record.resourceArn : record.recordId);
    entry.count = entry.resources.size;
    entry.records += 1;
    entry.lastSeen = record.eventTime;
    if (entry.examples.length < EXAMPLES && !entry.examples.includes(record.outcome.summary))
      entry.examples.push(record.outcome.summary);
  }
  const order = (category: FailureCategory) => FAILURE_CATEGORIES.indexOf(category);
  return [...groups.values()]
    .map(({ resources: _resources, ...group }) => group)
    .sort(
      (a, b) =>
        order(a.category) - order(b.category) ||
        b.count - a.count ||
        a.group.localeCompare(b.group) ||
        a.clusterName.localeCompare(b.clusterName),
    );
}

function groupName(record: AuditRecord): string {
  if (record.serviceName) return `service:${record.serviceName}`;
  if (record.family) return `family:${record.family}`;
  return record.clusterName;
}
