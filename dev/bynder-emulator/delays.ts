/**
 * Timers the emulator starts (latency, fault delays, deferred writes), kept so that stop() can
 * cancel them and never waits for a long delay to run out.
 */
export class Delays {
  private readonly timers = new Set<NodeJS.Timeout>();

  public wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  public schedule(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  public cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  public cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
