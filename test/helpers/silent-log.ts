import { createLogger } from '../../src/log.ts';

/** A real pino logger that writes nothing, for code under test that wants a Logger. */
export const silentLog = createLogger('silent');
