// Built-ins that compare or copy numbers, given traced ones. A traced number is an object,
// so natively these would see its identity (`Object.is(a[0], 1.4)` false, two equal values
// two different things) or copy its fields (`structuredClone` of a traced number is a
// record of its tape). Rewritten code calls these instead (lib/transform/rewrite-builtins.ts);
// each behaves as the built-in does on the numbers, and keeps the derivatives.
//
// By domain: rules/builtins/objects.ts (Object(x), instanceof, Object's reflection), clone.ts
// (structuredClone, messages), keys.ts and sets.ts (searching and keying by value), calls.ts
// (method calls through the runtime), stores.ts (stores a built-in makes, constructors).

export { objectOf, instanceOf, objectIs, objectIsStored, objectGetPrototypeOf, objectIsFrozen, objectIsSealed, objectIsExtensible } from './builtins/objects.js';
export { clonedByReplacement, structuredCloneOf } from './builtins/clone.js';
export { hold, held, onMethodCall, onRewrittenCode, callMethod, appliedByReplacement, isViewByReplacement, typedSuperCall, callOn, applyOn, bindOn, readableThrough, searchesOrStores, searchCallback } from './builtins/calls.js';
export type { BoundWhileDeriving } from './builtins/calls.js';
export { reflectSet, reflectDefineProperty, objectDefineProperty, objectSetPrototypeOf, reflectSetPrototypeOf, objectDefineProperties, reflectApply, construct, collectionArguments, collectionMade, sizeOf, sizedArguments, reflectConstruct, arrayFrom, arrayBufferIsView, float64ArrayFrom, float32ArrayFrom, float64ArrayOf, float32ArrayOf } from './builtins/stores.js';
