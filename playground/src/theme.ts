// Light and dark: the page follows the system's preference until the toggle chooses, and
// remembers that choice. index.html sets `data-theme` before the first paint (no white flash);
// here the toggle, and a system change while no choice is stored.
const KEY = 'zygote-playground-theme';
export type Theme = 'light' | 'dark';

const system = matchMedia('(prefers-color-scheme: dark)');

function stored(): Theme | null {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'dark' || t === 'light' ? t : null;
  } catch {
    return null; // storage refused (a private window, a file:// page in some browsers)
  }
}

export function currentTheme(): Theme {
  return document.documentElement.dataset['theme'] === 'dark' ? 'dark' : 'light';
}

/** Wires the toggle button; `changed` runs after every switch (pictures redraw in the new colours). */
export function initTheme(toggle: HTMLButtonElement, changed: () => void): void {
  const apply = (t: Theme) => {
    document.documentElement.dataset['theme'] = t;
    toggle.setAttribute('aria-pressed', String(t === 'dark'));
    changed();
  };
  apply(stored() ?? (system.matches ? 'dark' : 'light'));
  system.addEventListener('change', () => {
    if (stored() === null) apply(system.matches ? 'dark' : 'light');
  });
  toggle.addEventListener('click', () => {
    const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // not remembered, but still switched
    }
    apply(next);
  });
}
