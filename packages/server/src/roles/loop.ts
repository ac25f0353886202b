/** A background loop for jobs: a step on a timer and on demand, never two at once. */
/** Runs `step` every `ms` and whenever `wake` is called, never two at once. */
export function startLoop(
  step: () => Promise<unknown>,
  ms: number,
  onError: (e: unknown) => void,
): { wake(): void; close(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let failing = false;
  const wake = () => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = step()
      .then(
        () => {
          failing = false;
        },
        (e: unknown) => {
          if (!failing) onError(e);
          failing = true;
        },
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  };
  const timer = setInterval(wake, ms);
  timer.unref();
  wake();
  return {
    wake,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
