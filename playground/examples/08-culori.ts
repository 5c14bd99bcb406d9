// An npm package, differentiated: culori is rewritten by the same
// transform when the playground is built. How does the CIEDE2000
// distance between red and green change as their channels move?
import { differenceCiede2000, rgb } from 'culori';
import { gradient } from 'zygote-ts';

const deltaE = differenceCiede2000();
const red = rgb({ mode: 'rgb', r: 1, g: 0, b: 0 });
const green = rgb({ mode: 'rgb', r: 0, g: 1, b: 0 });

deltaE(red, green); // 86.60781444907963
gradient((a: typeof red, b: typeof green) => deltaE(a, b), red, green);
