// Every table of array cases, by domain (the finite-difference spec and the float32 spec
// walk the same rows).
import type { Case } from './check.js';
import { elementwiseCases } from './table-elementwise.js';
import { reductionCases } from './table-reductions.js';
import { dtypeCases, linalgCases, shapeCases } from './table-shape.js';
import { mapCases } from './table-map.js';

export const tables: Record<string, Record<string, Case[]>> = {
  elementwise: elementwiseCases,
  reductions: reductionCases,
  'linear algebra': linalgCases,
  shapes: shapeCases,
  dtypes: dtypeCases,
  map: mapCases,
};
