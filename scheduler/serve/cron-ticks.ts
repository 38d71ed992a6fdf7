import { createTask, type Logger, type ScheduledTask } from 'node-cron';

/** A running schedule: its ticks go to the handler until it is stopped. */
export interface CronTicks {
  /** When the next tick comes (UTC), or undefined when none will. */
  next(): Date | undefined;
  stop(): Promise<void>;
}

/**
 * Ticks on a policy.schedule expression (already checked by the fleet's rules: regions/cron.ts)
 * in UTC, by node-cron. The handler is only told of the tick: whether a run starts or the tick
 * is skipped (one still going) is the service's to decide and to record, so node-cron's own
 * overlap handling is not used.
 */
export function startCronTicks(schedule: string, onTick: (at: Date) => void, logger: Logger): CronTicks {
  const task: ScheduledTask = createTask(schedule, (ctx) => onTick(ctx.triggeredAt ?? ctx.date), {
    timezone: 'Etc/UTC',
    name: 'shisa-rebalance',
    noOverlap: false,
    // node-cron says so when a tick is missed (the event loop was blocked): into the service's log.
    logger,
  });
  void task.start();
  return {
    next: () => task.getNextRun() ?? undefined,
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}
