import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * Structured JSON logs; human-readable in development (pino-pretty). Lines about a request carry
 * its `requestId` through child loggers.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'mode'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'gatehouse' },
    redact: { paths: ['req.headers.authorization', 'authorization', 'token', 'secret'], censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (config.mode === 'development' && config.logLevel !== 'silent' && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(options);
}
