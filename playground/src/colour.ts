// Viridis (matplotlib's perceptually uniform colour map), at nine stops: for the heat maps
// of a function of two numbers and of a 2-D NDArray.
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

/** The colour of t in [0, 1] (clamped), as RGB bytes. */
export function viridis(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const k = u - i;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * k)) as [number, number, number];
}

/**
 * An image of a grid of numbers (row 0 at the top unless `flipY`), lowest dark, highest
 * light; non-numbers grey. Returns a canvas of one pixel per number.
 */
export function heatCanvas(values: ArrayLike<number>, rows: number, cols: number, flipY = false): HTMLCanvasElement {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < rows * cols; k++) {
    const v = values[k]!;
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  const span = hi - lo || 1;
  const canvas = document.createElement('canvas');
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(cols, rows);
  for (let k = 0; k < rows * cols; k++) {
    const v = values[k]!;
    const row = flipY ? rows - 1 - Math.floor(k / cols) : Math.floor(k / cols);
    const [r, g, b] = Number.isFinite(v) ? viridis((v - lo) / span) : [128, 128, 128];
    img.data.set([r, g, b, 255], (row * cols + (k % cols)) * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
