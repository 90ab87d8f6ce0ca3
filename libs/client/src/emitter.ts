/** Runs an app's callback; an exception in it is rethrown on its own task so it never breaks the SDK. */
export function call<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    fn?.(...args);
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
  }
}

/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(event: K, fn: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  off<K extends keyof E>(event: K, fn: E[K]): void {
    this.listeners.get(event)?.delete(fn);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const fn of this.listeners.get(event) ?? []) call(fn as (...a: Parameters<E[K]>) => void, ...args);
  }
}
