// The built-ins the runtime's versions call, as the platform made them: a program may replace
// the globals, or a method on a prototype (a wrapper or a spy: rewritten code then calls the
// replacement, rules/as-installed.ts), and one that saved the runtime's version and put it back
// would make it call itself; `case Array.prototype.includes:` read at the call would take a
// program's wrapper for the built-in.

export const builtinObjectIs = Object.is;
export const builtinGetPrototypeOf = Object.getPrototypeOf;
export const builtinIsFrozen = Object.isFrozen;
export const builtinIsSealed = Object.isSealed;
export const builtinIsExtensible = Object.isExtensible;
export const builtinArrayFrom = Array.from;
export const builtinReflectConstruct = Reflect.construct;
export const builtinIsView = ArrayBuffer.isView;
export const { call: builtinCall, apply: builtinApply, bind: builtinBind } = Function.prototype;
export const builtinReflectApply = Reflect.apply;
export const objectAssign = Object.assign;

export const ArrayProto = { indexOf: Array.prototype.indexOf, lastIndexOf: Array.prototype.lastIndexOf, includes: Array.prototype.includes };
/** %TypedArray%.prototype's searches, which every typed array shares. */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as { indexOf: Function; lastIndexOf: Function; includes: Function };
export const TypedArrayProto = { indexOf: TypedArrayPrototype.indexOf, lastIndexOf: TypedArrayPrototype.lastIndexOf, includes: TypedArrayPrototype.includes };
export const { get: mapGet, set: mapSet, has: mapHas, delete: mapDelete } = Map.prototype;
export const { add: setAdd, has: setHas, delete: setDelete } = Set.prototype;
export const { get: weakMapGet, set: weakMapSet, has: weakMapHas, delete: weakMapDelete } = WeakMap.prototype;
export const { add: weakSetAdd, has: weakSetHas, delete: weakSetDelete } = WeakSet.prototype;

/** Set methods of ES2025 (Node 22 and later: undefined before) that compare members with another set's. */
interface SetAlgebra {
  union?: Function; intersection?: Function; difference?: Function; symmetricDifference?: Function;
  isSubsetOf?: Function; isSupersetOf?: Function; isDisjointFrom?: Function;
}
export const { union: setUnion, intersection: setIntersection, difference: setDifference, symmetricDifference: setSymmetricDifference,
  isSubsetOf: setIsSubsetOf, isSupersetOf: setIsSupersetOf, isDisjointFrom: setIsDisjointFrom } = Set.prototype as SetAlgebra;
export const setValues = Set.prototype.values;
export const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
/** Map's and WeakMap's `getOrInsert` and `getOrInsertComputed` (Node 26 and later: undefined before). */
interface GetOrInsert { getOrInsert?: Function; getOrInsertComputed?: Function }
/** Map.groupBy (Node 21 and later), as it was at load. */
export const mapGroupBy = (Map as { groupBy?: Function }).groupBy;
export const { getOrInsert: mapGetOrInsert, getOrInsertComputed: mapGetOrInsertComputed } = Map.prototype as GetOrInsert;
export const { getOrInsert: weakMapGetOrInsert, getOrInsertComputed: weakMapGetOrInsertComputed } = WeakMap.prototype as GetOrInsert;
