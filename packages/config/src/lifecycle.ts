/** What a service's entry point runs: every service's server (and the worker) has this shape. */
export interface Runnable {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The few log calls the lifecycle makes (a pino logger fits). */
export interface LifecycleLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  fatal(fields: object, message: string): void;
}

/**
 * The lifecycle of a service process: starts `service` (exit 1 when that fails), and on SIGTERM or
 * SIGINT drains it with `stop()` and exits 0 (1 when stopping fails or takes longer than `graceMs`,
 * by default 20 s: after the manifests' 5 s preStop pause, inside a pod's 30 s termination grace).
 * Another signal within `repeatWithinMs` of the first is the same request arriving twice (Ctrl+C
 * reaches the whole process group, and a supervisor such as `npm start` forwards it too) and is
 * ignored; a later one exits at once.
 */
export async function runUntilSignalled(
  service: Runnable,
  log: LifecycleLog,
  options: { graceMs?: number; repeatWithinMs?: number } = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 20_000;
  const repeatWithinMs = options.repeatWithinMs ?? 2_000;
  let stoppingSince: number | undefined;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < repeatWithinMs) {
        log.info({ signal }, 'already draining');
        return;
      }
      log.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'draining before exit');
    setTimeout(() => {
      log.error({ graceMs }, 'graceful stop timed out');
      process.exit(1);
    }, graceMs).unref();
    try {
      await service.stop();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'stopping failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
  try {
    await service.start();
  } catch (error) {
    log.fatal({ err: error }, 'failed to start');
    setTimeout(() => process.exit(1), graceMs).unref();
    await service.stop().catch(() => undefined);
    process.exit(1);
  }
}
