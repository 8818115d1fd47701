// Token cost of an image part.
//
// Rule (OpenAI's published "high detail" rule for GPT-4o-class vision models): the image is scaled to
// fit in 2048×2048, then scaled down so its shortest side is at most 768 px; it then costs
// 85 tokens + 170 tokens per 512×512 tile. A 1024×1024 image costs 765 tokens.
// Dimensions are read from the image header (PNG, JPEG, GIF, WebP) when the part carries its data;
// when they cannot be read the image is assumed to be 1024×1024 (765 tokens).
import type { ImagePart } from '../types';

export const IMAGE_BASE_TOKENS = 85;
export const IMAGE_TILE_TOKENS = 170;
export const IMAGE_DEFAULT_TOKENS = 765;

export function highDetailImageTokens(width: number, height: number): number {
  if (!(width > 0 && height > 0)) return IMAGE_DEFAULT_TOKENS;
  let w = width;
  let h = height;
  if (w > 2048 || h > 2048) {
    const s = 2048 / Math.max(w, h);
    w *= s;
    h *= s;
  }
  const short = Math.min(w, h);
  if (short > 768) {
    const s = 768 / short;
    w *= s;
    h *= s;
  }
  const tiles = Math.ceil(w / 512) * Math.ceil(h / 512);
  return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles;
}

/** Width and height from the first bytes of a PNG, GIF, WebP or JPEG file, or undefined. */
export function imageDimensions(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.toString('latin1', 12, 16) === 'IHDR') {
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.length >= 10 && buf.toString('latin1', 0, 4) === 'GIF8') {
    return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  }
  if (buf.length >= 30 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = buf.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const b0 = buf[21], b1 = buf[22], b2 = buf[23], b3 = buf[24];
      return { width: 1 + (((b1 & 0x3f) << 8) | b0), height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)) };
    }
    if (chunk === 'VP8X') return { width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) };
    return undefined;
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) {
    let pos = 2;
    while (pos + 9 < buf.length) {
      if (buf[pos] !== 0xff) return undefined;
      const marker = buf[pos + 1];
      if (marker === 0xff) { pos++; continue; } // fill byte
      if ((marker >= 0xd0 && marker <= 0xd9) || marker === 0x01) { pos += 2; continue; } // no length
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { width: buf.readUInt16BE(pos + 7), height: buf.readUInt16BE(pos + 5) };
      pos += 2 + buf.readUInt16BE(pos + 2);
    }
  }
  return undefined;
}

/** Base64 characters decoded to look for the header (JPEG headers may sit after large EXIF blocks). */
const HEADER_BASE64_CHARS = 256 * 1024;

export function imagePartTokens(part: ImagePart): number {
  if (!part.dataBase64) return IMAGE_DEFAULT_TOKENS;
  const head = part.dataBase64.slice(0, HEADER_BASE64_CHARS).replace(/^data:[^,]*,/, '');
  const dims = imageDimensions(Buffer.from(head.slice(0, head.length - (head.length % 4)), 'base64'));
  return dims ? highDetailImageTokens(dims.width, dims.height) : IMAGE_DEFAULT_TOKENS;
}
