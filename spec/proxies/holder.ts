// A class holding one value in a #private member, read through a getter: what such a member
// holds is reached while f runs, not when the arguments are wrapped (spec/proxies/structures,
// spec/compile/compile).
export class Holder<T> {
  #o: T;
  constructor(o: T) {
    this.#o = o;
  }
  get o(): T {
    return this.#o;
  }
}
