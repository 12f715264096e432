import type { Logger } from '../../src/lib/runtime-ports';

const ignore = (): void => undefined;

/** A logger that drops every line, for code that must be given one. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
