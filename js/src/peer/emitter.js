// A small event emitter: on(type, fn) returns a function that removes fn.
// A listener that throws does not stop the others or the library: its
// error is rethrown on a fresh task (the console shows it).

export class Emitter {
  constructor() {
    this._listeners = new Map();
  }

  /** on adds fn for type and returns a function that removes it. */
  on(type, fn) {
    let set = this._listeners.get(type);
    if (!set) this._listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => this.off(type, fn);
  }

  /** once adds fn for the next event of type only. */
  once(type, fn) {
    const off = this.on(type, (...args) => { off(); fn(...args); });
    return off;
  }

  off(type, fn) {
    this._listeners.get(type)?.delete(fn);
  }

  emit(type, ...args) {
    const set = this._listeners.get(type);
    if (!set) return false;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        setTimeout(() => { throw err; });
      }
    }
    return set.size > 0;
  }
}
