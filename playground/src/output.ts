// The Output panel: one row per shown value (with its line), console output, errors, notes.
// Rows of the last run are dimmed once the code is edited, until it runs again.
import { render } from './render.js';
import type { Described } from './describe.js';
import type { ShowSite } from './compile.js';

export interface OutputPanel {
  clear(): void;
  show(site: ShowSite | undefined, value: Described): void;
  log(level: string, values: Described[]): void;
  error(message: string, line?: number, column?: number): void;
  note(text: string, kind?: string): void;
  /** Renders every value again (after "All digits" changed). */
  rerender(): void;
  /** Marks the rows of one line (the editor's cursor line). */
  highlightLine(line: number | null): void;
  readonly count: number;
}

export function outputPanel(box: HTMLElement, goTo: (line: number, column?: number) => void): OutputPanel {
  const row = (kind: string) => {
    const r = document.createElement('div');
    r.className = `row ${kind}`;
    box.append(r);
    return r;
  };
  const lineButton = (line: number, column?: number) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'ln';
    b.textContent = String(line);
    b.title = `line ${line}: show it in the editor`;
    b.setAttribute('aria-label', `Line ${line}: show it in the editor`);
    b.addEventListener('click', () => goTo(line, column));
    return b;
  };
  return {
    get count() {
      return box.childElementCount;
    },
    clear() {
      box.replaceChildren();
    },
    show(s, value) {
      const r = row('show');
      r.dataset['value'] = JSON.stringify(value);
      if (s) r.dataset['line'] = String(s.line);
      const src = document.createElement('div');
      src.className = 'src';
      if (s) {
        src.append(lineButton(s.line));
        const code = document.createElement('code');
        const first = s.text.split('\n')[0]!.replace(/;\s*(\/\/.*)?$/, '');
        code.textContent = s.text.includes('\n') ? `${first} …` : first;
        code.title = s.text;
        src.append(code);
      }
      const val = document.createElement('div');
      val.className = 'val';
      val.append(render(value));
      r.append(src, val);
    },
    log(level, values) {
      const r = row(`log ${level}`);
      r.append(Object.assign(document.createElement('span'), { className: 'log-tag', textContent: level === 'log' ? 'console' : level }));
      for (const v of values) {
        const cell = document.createElement('span');
        cell.className = 'log-item';
        cell.append(v.t === 'other' ? document.createTextNode(v.text) : render(v));
        r.append(cell);
      }
    },
    error(message, line, column) {
      const r = row('error');
      r.dataset['line'] = line === undefined ? '' : String(line);
      const head = document.createElement('div');
      head.className = 'err-head';
      if (line !== undefined) head.append(lineButton(line, column));
      head.append(Object.assign(document.createElement('span'), { className: 'err-msg', textContent: message }));
      const where = document.createElement('div');
      where.className = 'err-where';
      where.textContent = line !== undefined ? `at line ${line}${column !== undefined ? `, column ${column}` : ''}` : 'no line of your code is in its stack';
      r.append(head, where);
    },
    note(text, kind = 'note') {
      row(kind).textContent = text;
    },
    rerender() {
      for (const r of box.querySelectorAll<HTMLElement>('.row.show')) {
        r.querySelector('.val')!.replaceChildren(render(JSON.parse(r.dataset['value']!) as Described));
      }
    },
    highlightLine(line) {
      for (const r of box.querySelectorAll<HTMLElement>('.row.show')) r.classList.toggle('linked', line !== null && r.dataset['line'] === String(line));
    },
  };
}
