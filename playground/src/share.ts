// The code lives in the page's URL hash, so a link reproduces it: `#code=` + base64url of
// the deflated UTF-8 text; where the browser has no CompressionStream, `#n=` the text's
// length in bytes + `&src=` + base64url of the text (the length first, so that a link cut
// short keeps it). `#example=<id>` opens an example from the menu. A link whose code cannot
// be decoded is reported as broken, never silently replaced: a deflated stream cut short
// fails to inflate, and plain text cut at a multiple of three bytes, which decodes to
// shorter valid code, is told by its length.

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

export async function encodeHash(code: string): Promise<string> {
  const bytes = new TextEncoder().encode(code);
  if (typeof CompressionStream === 'undefined') return `#n=${bytes.length}&src=${toBase64Url(bytes)}`;
  return `#code=${toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')))}`;
}

/** What a hash holds: code, an example's id, a link whose code cannot be read (and why), or nothing. */
export type HashContent = { code: string } | { example: string } | { broken: string } | null;

/** Invalid UTF-8 is a damaged link, not text with replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function decodeHash(hash: string): Promise<HashContent> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  try {
    const code = params.get('code');
    if (code !== null) return { code: utf8.decode(await pipe(fromBase64Url(code), new DecompressionStream('deflate-raw'))) };
    const src = params.get('src');
    if (src !== null) {
      const bytes = fromBase64Url(src);
      const n = params.get('n');
      // (a link made before lengths were written has none: it decodes as it is)
      if (n !== null && Number(n) !== bytes.length) throw new Error(`the link holds ${bytes.length} of the code's ${n} bytes: it was cut short`);
      return { code: utf8.decode(bytes) };
    }
  } catch (e) {
    // A damaged link (cut short, edited by hand): the page says so, and opens its first example.
    return { broken: e instanceof Error && e.message ? e.message : String(e) };
  }
  const example = params.get('example');
  return example !== null ? { example } : null;
}
