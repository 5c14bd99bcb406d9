/** The number after `--name` on a fuzzer's command line (`args`: process.argv), or `fallback`. */
export function numberOption(name: string, fallback: number, args: readonly string[] = process.argv): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}
