import type { ScheduledHandler } from 'aws-lambda';
import { createRuntime, lazily } from './runtime';
import { createTickHandler } from './tick-handler';

const handle = lazily(async () => createTickHandler(await createRuntime(process.env)));

/** The 5-minute schedule's function: quiet periods, silence, missed runs, due deliveries. */
export const handler = async (...[event, context]: Parameters<ScheduledHandler>) => {
  await (
    await handle()
  )(event, context);
};
