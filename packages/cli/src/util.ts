import { ConfigError, DataDirLockedError } from '@onegrid/server';

/** Prints a clear message (no stack trace for errors users can act on) and exits non-zero. */
export function fail(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`onegrid: ${error.message}\n`);
  } else if (error instanceof Error) {
    process.stderr.write(`onegrid: ${error.message}\n`);
    if (process.env.ONEGRID_DEBUG) process.stderr.write(`${error.stack}\n`);
  } else {
    process.stderr.write(`onegrid: ${String(error)}\n`);
  }
  process.exit(1);
}
