// culori ships no types; the reference run uses it untyped, as user code in the page does.
declare module 'culori';
