/**
 * Test helper: a tiny PNG decoder (8-bit RGB/RGBA/grey, not interlaced,
 * what Chromium writes) to tell a rendered page from a blank one.
 *
 * @module
 */

/** A decoded PNG: size and how many pixels are not (near) white. */
export interface PngInfo {
  width: number;
  height: number;
  /** Pixels with any channel below 230. */
  inked: number;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes `bytes` and counts its inked pixels. */
export async function decodePng(bytes: Uint8Array): Promise<PngInfo> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error("not a PNG");
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = data[8], colour = data[9], interlace = data[12];
      if (depth !== 8 || interlace !== 0) throw new Error("unsupported PNG");
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[
        colour
      ];
      if (!channels) throw new Error(`unsupported colour type ${colour}`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const raw = await inflate(
    new Uint8Array(await new Blob(idat as BlobPart[]).arrayBuffer()),
  );
  const stride = width * channels;
  let previous = new Uint8Array(stride);
  let inked = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0;
      const b = previous[x];
      const c = x >= channels ? previous[x - channels] : 0;
      const v = line[x];
      row[x] = (filter === 0
        ? v
        : filter === 1
        ? v + a
        : filter === 2
        ? v + b
        : filter === 3
        ? v + ((a + b) >> 1)
        : v + paeth(a, b, c)) & 0xff;
    }
    const colours = Math.min(channels, 3);
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < colours; k++) {
        if (row[x * channels + k] < 230) {
          inked++;
          break;
        }
      }
    }
    previous = row;
  }
  return { width, height, inked };
}
