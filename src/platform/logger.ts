import { pino, type Logger } from 'pino';

export type { Logger };

/** Root logger. Modules take `logger.child({ module })`. Secrets and auth headers are redacted. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'talkreel' },
      redact: ['req.headers.authorization', 'headers.authorization', '*.token', 'token'],
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
