// Resizable split panes on wide screens: a separator between the editor and the results, and
// one between the output and the pictures. Drag with the pointer, or focus one and use the
// arrow keys (Home/End for the limits), as WAI-ARIA's window splitter pattern says. The
// sizes are CSS variables on the grid, kept for the next visit; narrow screens stack the
// panels and hide the separators (style.css).
const KEY = 'zygote-playground-split';

interface Split {
  separator: HTMLElement;
  /** The grid whose two tracks it sizes. */
  container: HTMLElement;
  /** `--left`/`--right` or `--top`/`--bottom`. */
  vars: [string, string];
  axis: 'x' | 'y';
  min: number;
  max: number;
}

function load(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, number>;
  } catch {
    return {};
  }
}

export function initSplitters(splits: Split[], resized: () => void): void {
  const saved = load();
  for (const s of splits) {
    const set = (percent: number) => {
      const p = Math.round(Math.min(s.max, Math.max(s.min, percent)));
      s.container.style.setProperty(s.vars[0], `${p}fr`);
      s.container.style.setProperty(s.vars[1], `${100 - p}fr`);
      s.separator.setAttribute('aria-valuenow', String(p));
      saved[s.separator.id] = p;
      resized();
    };
    const now = () => Number(s.separator.getAttribute('aria-valuenow'));
    const remember = () => {
      try {
        localStorage.setItem(KEY, JSON.stringify(saved));
      } catch {
        // not remembered
      }
    };
    if (saved[s.separator.id] !== undefined) set(saved[s.separator.id]!);

    s.separator.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      s.separator.setPointerCapture(e.pointerId);
      s.separator.classList.add('dragging');
      const box = s.container.getBoundingClientRect();
      const move = (ev: PointerEvent) => {
        set(s.axis === 'x' ? ((ev.clientX - box.left) / box.width) * 100 : ((ev.clientY - box.top) / box.height) * 100);
      };
      const up = () => {
        s.separator.classList.remove('dragging');
        s.separator.removeEventListener('pointermove', move);
        s.separator.removeEventListener('pointerup', up);
        remember();
      };
      s.separator.addEventListener('pointermove', move);
      s.separator.addEventListener('pointerup', up);
    });
    s.separator.addEventListener('keydown', (e) => {
      const back = s.axis === 'x' ? 'ArrowLeft' : 'ArrowUp';
      const forth = s.axis === 'x' ? 'ArrowRight' : 'ArrowDown';
      const step = e.shiftKey ? 10 : 2;
      if (e.key === back) set(now() - step);
      else if (e.key === forth) set(now() + step);
      else if (e.key === 'Home') set(s.min);
      else if (e.key === 'End') set(s.max);
      else return;
      e.preventDefault();
      remember();
    });
  }
}
