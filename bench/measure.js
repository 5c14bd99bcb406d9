// Timing harness: warm-up, then the median of repeated batches (as ../shared/peers does).
import { performance } from 'node:perf_hooks';

export function measure(fn, { repeats = 9, targetMs = 100, warmupMs = 400 } = {}) {
  let calls = 0;
  let t0 = performance.now();
  while (calls < 3 || performance.now() - t0 < warmupMs) {
    fn();
    calls++;
  }
  const estimate = (performance.now() - t0) / calls;
  const inner = Math.max(1, Math.ceil(targetMs / Math.max(estimate, 1e-6)));
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    for (let k = 0; k < inner; k++) fn();
    times.push((performance.now() - start) / inner);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function formatMs(ms) {
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 0.1) return ms.toFixed(3);
  return ms.toPrecision(3);
}
