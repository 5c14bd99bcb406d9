/**
 * Just enough source-map machinery to compose two maps (TypeScript stripping
 * by esbuild, then our rewrite), so positions in rewritten code trace back to
 * the .ts file: base64 VLQ decode/encode and segment tracing.
 */

export interface SourceMapV3 {
  version: 3;
  file?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  sourceRoot?: string;
}

type Segment = [number] | [number, number, number, number] | [number, number, number, number, number];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  const state = [0, 0, 0, 0, 0];
  let i = 0;
  while (i <= mappings.length) {
    const c = mappings[i];
    if (c === undefined || c === ';') {
      lines.push(line);
      line = [];
      state[0] = 0;
      i++;
      if (c === undefined) break;
      continue;
    }
    if (c === ',') { i++; continue; }
    const fields: number[] = [];
    while (i < mappings.length && mappings[i] !== ',' && mappings[i] !== ';') {
      let value = 0;
      let shift = 0;
      let digit: number;
      do {
        digit = B64_INDEX.get(mappings[i++]!) ?? 0;
        value += (digit & 31) << shift;
        shift += 5;
      } while (digit & 32);
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    }
    for (let f = 0; f < fields.length; f++) state[f] = state[f]! + fields[f]!;
    if (fields.length === 1) line.push([state[0]!]);
    else if (fields.length >= 5) line.push([state[0]!, state[1]!, state[2]!, state[3]!, state[4]!]);
    else if (fields.length >= 4) line.push([state[0]!, state[1]!, state[2]!, state[3]!]);
  }
  return lines;
}

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

export function encodeMappings(lines: readonly (readonly (readonly number[])[])[]): string {
  const prev = [0, 0, 0, 0, 0];
  return lines
    .map((line) => {
      prev[0] = 0;
      return line
        .map((seg) => {
          let s = '';
          for (let f = 0; f < seg.length; f++) {
            s += vlq(seg[f]! - prev[f]!);
            prev[f] = seg[f]!;
          }
          return s;
        })
        .join(',');
    })
    .join(';');
}

/** The last segment of `line` at or before `column` (binary search). */
function lookup(line: readonly Segment[] | undefined, column: number): Segment | undefined {
  if (!line || line.length === 0) return undefined;
  let lo = 0;
  let hi = line.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (line[mid]![0] <= column) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found >= 0 ? line[found] : line[0];
}

/**
 * Compose `outer` (generated → intermediate) with `inner` (intermediate →
 * original): the result maps generated positions straight to the original.
 * `outer` must have a single source (the intermediate file).
 */
export function composeMaps(outer: SourceMapV3, inner: SourceMapV3): SourceMapV3 {
  const outerLines = decodeMappings(outer.mappings);
  const innerLines = decodeMappings(inner.mappings);
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const lines: Segment[][] = outerLines.map((line) => {
    const out: Segment[] = [];
    for (const seg of line) {
      if (seg.length === 1) continue;
      const traced = lookup(innerLines[seg[2]], seg[3]);
      if (!traced || traced.length === 1) continue;
      const nameSource = seg.length === 5 ? outer.names[seg[4]] : traced.length === 5 ? inner.names[traced[4]] : undefined;
      if (nameSource !== undefined) {
        let ni = nameIndex.get(nameSource);
        if (ni === undefined) { ni = names.length; names.push(nameSource); nameIndex.set(nameSource, ni); }
        out.push([seg[0], traced[1], traced[2], traced[3], ni]);
      } else out.push([seg[0], traced[1], traced[2], traced[3]]);
    }
    return out;
  });
  const composed: SourceMapV3 = { version: 3, sources: inner.sources, names, mappings: encodeMappings(lines) };
  if (inner.sourcesContent) composed.sourcesContent = inner.sourcesContent;
  if (outer.file !== undefined) composed.file = outer.file;
  return composed;
}

export function inlineSourceMapComment(map: SourceMapV3): string {
  return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}

/** `code` with its map appended as an inline `sourceMappingURL` comment (when there is one). */
export function withInlineMap(code: string, map: SourceMapV3 | null): string {
  return map ? code + inlineSourceMapComment(map) : code;
}
