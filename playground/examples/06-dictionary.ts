// A dictionary captured by the closure and written inside f: the
// derivative follows the value through the Map, and after the call
// the Map holds a plain number again.
import { gradient } from 'zygote-ts';

const d = new Map<string, number>();

gradient((x: number) => {
  d.set('x', x);
  return d.get('x')! * d.get('x')!;
}, 5); // [10]

d;
