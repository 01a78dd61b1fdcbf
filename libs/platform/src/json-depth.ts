/** How deep a request body's arrays and objects may nest: the deepest command needs a handful. */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in a JSON text, brackets inside strings aside.
 * Read from the UTF-8 bytes: no byte of a multi-byte character is a quote, a backslash or a
 * bracket.
 */
export function jsonDepth(body: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return deepest;
}

/**
 * The JSON body parser's check before parsing: validation walks a body recursively, and one
 * nested some thousand levels deep (a few kilobytes) would exhaust its stack, a 500.
 */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer): void {
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`), { status: 400, expose: true, type: 'entity.too.deep' });
  }
}
