/**
 * Nesting depth of JSON text, found in one linear pass without parsing: every surface (client frames,
 * REST bodies, gRPC `data_json`) refuses payloads nested deeper than its limit before anything
 * recurses over them (JSON.stringify, a validator, a logger).
 */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** True when the arrays and objects in `text` nest deeper than `limit`. Strings are skipped; malformed text is not judged. */
export function jsonDepthExceeds(text: string, limit: number = DEFAULT_MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/** Depth of an already-parsed value, iteratively (no recursion), stopping as soon as it passes `limit`. */
export function valueDepthExceeds(value: unknown, limit: number = DEFAULT_MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}
