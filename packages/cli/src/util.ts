/**
 * Prints a clear message and exits non-zero. Errors are meant to be read (a bad setting, a locked
 * data dir, a server that cannot be reached): the stack trace only with ONEGRID_DEBUG set.
 */
export function fail(error: unknown): never {
  if (error instanceof Error) {
    process.stderr.write(`onegrid: ${error.message}\n`);
    if (process.env.ONEGRID_DEBUG) process.stderr.write(`${error.stack}\n`);
  } else {
    process.stderr.write(`onegrid: ${String(error)}\n`);
  }
  process.exit(1);
}
