// Optional chains through #private members (JavaScript; TypeScript refuses them: TS18030).
export class Link {
  #w;
  #up;
  constructor(w, up = null) {
    this.#w = w;
    this.#up = up;
  }
  #times(k) {
    return this.#w * k;
  }
  upW() {
    return this.#up?.#w ?? 0;
  }
  static w(o) {
    return o?.#w ?? -1;
  }
  static times(o, k) {
    return o?.#times?.(k) ?? -1;
  }
  static deep(o) {
    return o?.a?.n?.#w;
  }
}

export class Bag {
  #items = [];
  static put(o, v) {
    o?.#items.push(v);
    return o?.#items.includes?.(v) ?? false;
  }
  total() {
    return this.#items.reduce((a, b) => a + b, 0);
  }
}
