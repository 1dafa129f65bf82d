/**
 * Windows-1252's 0x80–0x9F, where it differs from ISO-8859-1 (https://encoding.spec.whatwg.org/index-windows-1252.txt);
 * the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay the C1 controls.
 * Node's TextDecoder('windows-1252') decodes as ISO-8859-1, so `€` (0x80) would come out as U+0080.
 */
const HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ'

/** Bytes as Windows-1252 text, the encoding spreadsheet exports use when they are not UTF-8. */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192)
    text += String.fromCharCode(...Array.from(chunk, (b) => (b >= 0x80 && b <= 0x9f ? HIGH.charCodeAt(b - 0x80) : b)))
  }
  return text
}
