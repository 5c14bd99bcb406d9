// A class whose instance may hold an own field `value` over its prototype's accessor of that
// name (as a class field defined over a base class's accessor does): copied by assignment, the
// setter runs instead, and `_v` becomes 100 times the value. Specs of compileGradient's copies
// of arguments and of jvp's outputs use it.

export class AccessorBase {
  _v = 1;
  set value(v: number) {
    this._v = v * 100;
  }
  get value(): number {
    return this._v;
  }
}

/** An AccessorBase whose own field `value` shadows the accessor. */
export const withOwnValue = (value: number): AccessorBase =>
  Object.defineProperty(new AccessorBase(), 'value', { value, writable: true, enumerable: true, configurable: true }) as AccessorBase;
