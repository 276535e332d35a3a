/** The mapper's CloudTrail fixtures (tests/events/cloudtrail) that map to AuditRecords; the read-only, agent and non-ECS ones it ignores are left out. */
export const MAPPED_CLOUDTRAIL_FIXTURES = [
  'runtask-success',
  'runtask-partial-placement',
  'runtask-placement-failure-only',
  'runtask-agent-failure',
  'runtask-api-error',
  'starttask-success',
  'stoptask',
  'create-service',
  'update-service',
] as const;
