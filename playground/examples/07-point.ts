// Structs: a class with fields, and a + defined through zygote-ts's
// operator symbols. The gradient of a Point comes back as { x, y }.
import { gradient, operators } from 'zygote-ts';

class Point {
  constructor(readonly x: number, readonly y: number) {}
  [operators.add](other: Point): Point {
    return new Point(this.x + other.x, this.y + other.y);
  }
}

const dist = (p: Point) => Math.sqrt(p.x ** 2 + p.y ** 2);
const a = new Point(1, 2);
const b = new Point(3, 4);

// TypeScript does not know Point's +; the rewrite does (so the
// editor does not flag operators that zygote-ts rewrites).
const plus = (p: Point, q: Point): Point => p + q;

dist(plus(a, b));
gradient((a: Point) => dist(plus(a, b)), a); // [{ x: 0.5547…, y: 0.8320… }]
