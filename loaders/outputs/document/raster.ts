import { deflateSync } from "node:zlib";

/**
 * A tiny rasteriser for the schéma's maps: filled polygons, circles and thin lines on a supersampled grid of
 * palette indices, downsampled to an RGB PNG. It exists so a choropleth can be embedded in the DOCX without a
 * browser or a native image library; text (title, legend) is left to the document around the image.
 */

export type Point = [number, number];

const EMPTY = 255;

export class Canvas {
  readonly pixels: Uint8Array;
  readonly w: number;
  readonly h: number;

  private disposed = false;

  /** `width`×`height` output pixels, drawn at `scale`× for anti-aliasing; `palette` lists `#rrggbb` colours. */
  constructor(readonly width: number, readonly height: number, readonly palette: string[], readonly scale = 3) {
    this.w = width * scale;
    this.h = height * scale;
    this.pixels = takeScratch(this.w * this.h).fill(EMPTY);
  }

  /**
   * Hands the pixel buffer back for the next canvas (a map's grid is about 10 MB: allocating a fresh one per map
   * costs page faults and pushes V8 into full collections for the external memory). The canvas is unusable after.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseScratch(this.pixels);
  }

  /** Fills a polygon given as rings in output coordinates (even-odd rule, so holes stay empty). */
  fillPolygon(rings: Point[][], color: number): void {
    const s = this.scale;
    let minY = Infinity;
    let maxY = -Infinity;
    // Edges as (x0, y0, x1, y1) in supersampled pixels, with their lower and upper y: a scanline only tests the
    // edges it can cross (an outline has hundreds of edges, most far from the line). Kept in buffers reused from one
    // polygon to the next (thousands of communes per map).
    let count = 0;
    for (const ring of rings) count += ring.length;
    const edges = edgeScratch.of(count * EDGE);
    let n = 0;
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i++) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[(i + 1) % ring.length];
        if (y0 === y1) continue;
        const e = n * EDGE;
        edges[e] = x0 * s;
        edges[e + 1] = y0 * s;
        edges[e + 2] = x1 * s;
        edges[e + 3] = y1 * s;
        edges[e + 4] = Math.min(edges[e + 1], edges[e + 3]);
        edges[e + 5] = Math.max(edges[e + 1], edges[e + 3]);
        minY = Math.min(minY, y0 * s, y1 * s);
        maxY = Math.max(maxY, y0 * s, y1 * s);
        n++;
      }
    }
    if (n === 0) return;
    const from = Math.max(0, Math.floor(minY));
    const to = Math.min(this.h - 1, Math.ceil(maxY));
    // Each edge joins the scanlines at the first line y with low <= y + 0.5, that is y >= ceil(low - 0.5): the edges
    // are bucketed by that line (a counting sort, instead of sorting them by their lower y for every polygon).
    if (to < from) return;
    const rows = to - from + 1;
    const firstOf = rowScratch.of(rows + 1);
    firstOf.fill(0, 0, rows + 1);
    const rowOf = startScratch.of(n);
    for (let i = 0; i < n; i++) {
      const row = Math.max(0, Math.ceil(edges[i * EDGE + 4] - 0.5) - from);
      rowOf[i] = row;
      if (row < rows) firstOf[row + 1]++;
    }
    for (let r = 0; r < rows; r++) firstOf[r + 1] += firstOf[r];
    const byRow = orderScratch.of(n);
    const placed = placedScratch.of(rows);
    placed.set(firstOf.subarray(0, rows));
    for (let i = 0; i < n; i++) if (rowOf[i] < rows) byRow[placed[rowOf[i]]++] = i;
    const active = activeScratch.of(n);
    const xs = crossingScratch.of(n);
    let live = 0;
    for (let y = from; y <= to; y++) {
      const cy = y + 0.5;
      // An edge crosses the line when low <= cy < high: the same test as (y0 <= cy < y1) or (y1 <= cy < y0).
      for (let k = firstOf[y - from], end = firstOf[y - from + 1]; k < end; k++) active[live++] = byRow[k];
      let kept = 0;
      for (let a = 0; a < live; a++) if (edges[active[a] * EDGE + 5] > cy) active[kept++] = active[a];
      live = kept;
      // Crossings in increasing x (insertion sort: a line crosses a handful of edges).
      for (let a = 0; a < live; a++) {
        const e = active[a] * EDGE;
        const x0 = edges[e];
        const y0 = edges[e + 1];
        const x = x0 + ((cy - y0) / (edges[e + 3] - y0)) * (edges[e + 2] - x0);
        let k = a;
        while (k > 0 && xs[k - 1] > x) {
          xs[k] = xs[k - 1];
          k--;
        }
        xs[k] = x;
      }
      for (let i = 0; i + 1 < live; i += 2) {
        const start = Math.max(0, Math.ceil(xs[i] - 0.5));
        const end = Math.min(this.w - 1, Math.floor(xs[i + 1] - 0.5));
        if (end >= start) this.pixels.fill(color, y * this.w + start, y * this.w + end + 1);
      }
    }
  }

  /** Draws a polyline `thickness` supersampled pixels wide. */
  strokeRing(ring: Point[], color: number, thickness = 1): void {
    const s = this.scale;
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * s));
      for (let k = 0; k <= steps; k++) {
        const x = (x0 + ((x1 - x0) * k) / steps) * s;
        const y = (y0 + ((y1 - y0) * k) / steps) * s;
        if (thickness === 1) this.thinDot(x, y, color);
        else this.dot(x, y, thickness / 2, color);
      }
    }
  }

  /** A filled disc of radius `r` output pixels. */
  fillCircle(cx: number, cy: number, r: number, color: number): void {
    this.dot(cx * this.scale, cy * this.scale, r * this.scale, color);
  }

  /**
   * `dot` of radius half a pixel, for the thin lines (the communes' borders, thousands of dots per map): only the
   * 2 × 2 pixels whose centres lie within a pixel of the point can be within half a pixel of it, the same pixels
   * as `dot` finds in its square.
   */
  private thinDot(x: number, y: number, color: number): void {
    const w = this.w;
    const fx = Math.floor(x - 0.5);
    const fy = Math.floor(y - 0.5);
    const right = Math.min(w - 1, fx + 1);
    const bottom = Math.min(this.h - 1, fy + 1);
    for (let py = Math.max(0, fy); py <= bottom; py++) {
      const dy = (py + 0.5 - y) ** 2;
      for (let px = Math.max(0, fx); px <= right; px++) if ((px + 0.5 - x) ** 2 + dy <= 0.25) this.pixels[py * w + px] = color;
    }
  }

  private dot(x: number, y: number, r: number, color: number): void {
    const r2 = Math.max(r, 0.5) ** 2;
    const w = this.w;
    const pixels = this.pixels;
    // The rows and columns of the square around the disc that lie on the canvas.
    const top = Math.max(0, Math.floor(y - r));
    const bottom = Math.min(this.h - 1, Math.ceil(y + r));
    const left = Math.max(0, Math.floor(x - r));
    const right = Math.min(w - 1, Math.ceil(x + r));
    for (let py = top; py <= bottom; py++) {
      const dy = (py + 0.5 - y) ** 2;
      for (let px = left; px <= right; px++) {
        if ((px + 0.5 - x) ** 2 + dy <= r2) pixels[py * w + px] = color;
      }
    }
  }

  /** Averages each `scale`×`scale` block into one RGB pixel (empty cells are white) and encodes a PNG. */
  toPng(): Uint8Array {
    if (this.disposed) throw new Error("toile de carte déjà libérée");
    const s = this.scale;
    const n = s * s;
    // Each palette index's channels in one table (empty is white), and each possible block sum's rounded mean:
    // the same arithmetic as averaging pixel by pixel, without a lookup of an array per pixel or a division.
    const red = new Uint16Array(256).fill(WHITE[0]);
    const green = new Uint16Array(256).fill(WHITE[1]);
    const blue = new Uint16Array(256).fill(WHITE[2]);
    this.palette.map(parseColor).forEach(([r, g, b], i) => {
      if (i === EMPTY) return;
      red[i] = r;
      green[i] = g;
      blue[i] = b;
    });
    const mean = new Uint8Array(255 * n + 1);
    for (let v = 0; v < mean.length; v++) mean[v] = Math.round(v / n);
    const stride = this.width * 3 + 1;
    const raw = new Uint8Array(stride * this.height);
    const pixels = this.pixels;
    const w = this.w;
    // Four output pixels at a time as words, when the grid's rows fall on word boundaries (the default 3× grid of a
    // map whose width is a multiple of 4, so that rows hold whole groups of four): most runs of four blocks lie inside
    // one commune or the background.
    const words = s === 3 && w % 4 === 0 && pixels.byteOffset % 4 === 0 ? new Uint32Array(pixels.buffer, pixels.byteOffset, (pixels.length / 4) | 0) : null;
    const wordsPerRow = w / 4;
    for (let y = 0; y < this.height; y++) {
      raw[y * stride] = 0;
      let x = 0;
      let o = y * stride + 1;
      while (x < this.width) {
        if (words !== null) {
          // The twelve grid cells of three rows under output pixels x to x + 3 are three words per row.
          const top = y * 3 * wordsPerRow + (x * 3) / 4;
          const word = words[top];
          if (
            (word & 0xff) * 0x01010101 === word &&
            words[top + 1] === word && words[top + 2] === word &&
            words[top + wordsPerRow] === word && words[top + wordsPerRow + 1] === word && words[top + wordsPerRow + 2] === word &&
            words[top + 2 * wordsPerRow] === word && words[top + 2 * wordsPerRow + 1] === word && words[top + 2 * wordsPerRow + 2] === word
          ) {
            const index = word & 0xff;
            const r = red[index];
            const g = green[index];
            const b = blue[index];
            for (let k = 0; k < 4; k++, o += 3) {
              raw[o] = r;
              raw[o + 1] = g;
              raw[o + 2] = b;
            }
            x += 4;
            continue;
          }
        }
        const end = words !== null ? Math.min(this.width, (x & ~3) + 4) : this.width;
        for (; x < end; x++, o += 3) {
          const corner = y * s * w + x * s;
          // Most blocks lie inside one commune or the background: one colour, whose mean is itself.
          const first = pixels[corner];
          if (s === 3 ? uniform3(pixels, corner, w, first) : uniform(pixels, corner, w, s, first)) {
            raw[o] = red[first];
            raw[o + 1] = green[first];
            raw[o + 2] = blue[first];
            continue;
          }
          let r = 0;
          let g = 0;
          let b = 0;
          for (let dy = 0; dy < s; dy++) {
            for (let dx = 0, p = corner + dy * w; dx < s; dx++, p++) {
              const index = pixels[p];
              r += red[index];
              g += green[index];
              b += blue[index];
            }
          }
          raw[o] = mean[r];
          raw[o + 1] = mean[g];
          raw[o + 2] = mean[b];
        }
      }
    }
    return encodePng(this.width, this.height, raw);
  }
}

/** True when the `s`×`s` block at `corner` (rows `w` apart) is all `first`. */
function uniform(pixels: Uint8Array, corner: number, w: number, s: number, first: number): boolean {
  for (let dy = 0; dy < s; dy++) {
    for (let dx = 0, p = corner + dy * w; dx < s; dx++, p++) if (pixels[p] !== first) return false;
  }
  return true;
}

/** `uniform` for the default 3×3 block, written out: the test every output pixel makes (≈ 2× faster than the loops). */
function uniform3(pixels: Uint8Array, corner: number, w: number, first: number): boolean {
  const middle = corner + w;
  const last = middle + w;
  return (
    pixels[corner + 1] === first && pixels[corner + 2] === first &&
    pixels[middle] === first && pixels[middle + 1] === first && pixels[middle + 2] === first &&
    pixels[last] === first && pixels[last + 1] === first && pixels[last + 2] === first
  );
}

/** Numbers per edge in `fillPolygon`'s buffer: x0, y0, x1, y1, lower y, upper y. */
const EDGE = 6;

/**
 * A typed array kept from one polygon to the next (thousands of communes per map), replaced by one twice as long as
 * needed when a polygon needs more.
 */
class Scratch<T extends Float64Array | Int32Array> {
  private array: T;

  constructor(private readonly make: (length: number) => T) {
    this.array = make(1024);
  }

  /** The array, at least `length` long; what it held is not kept. */
  of(length: number): T {
    if (this.array.length < length) this.array = this.make(2 * length);
    return this.array;
  }
}

/** `fillPolygon`'s edges, EDGE numbers each. */
const edgeScratch = new Scratch((n) => new Float64Array(n));
/** The edges crossing the current scanline, and their crossings. */
const activeScratch = new Scratch((n) => new Int32Array(n));
const crossingScratch = new Scratch((n) => new Float64Array(n));
/** First slot, in `orderScratch`, of the edges joining at each scanline of a polygon (one more entry than lines). */
const rowScratch = new Scratch((n) => new Int32Array(n));
/** The scanline each edge joins at, the edges in the order they join, the next free slot of each scanline. */
const startScratch = new Scratch((n) => new Int32Array(n));
const orderScratch = new Scratch((n) => new Int32Array(n));
const placedScratch = new Scratch((n) => new Int32Array(n));

/**
 * One pixel buffer kept between canvases (the maps are drawn one after the other): taken by a canvas, handed back
 * by `dispose`. A canvas made while it is taken, or larger than it, gets a buffer of its own.
 */
let scratch: Uint8Array | null = null;

function takeScratch(size: number): Uint8Array {
  if (scratch && scratch.length >= size) {
    const buffer = scratch.subarray(0, size);
    scratch = null;
    return buffer;
  }
  return new Uint8Array(size);
}

function releaseScratch(pixels: Uint8Array): void {
  const whole = new Uint8Array(pixels.buffer, 0, pixels.buffer.byteLength);
  if (!scratch || scratch.length < whole.length) scratch = whole;
}

const WHITE: [number, number, number] = [255, 255, 255];

function parseColor(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`couleur invalide : "${hex}" (#rrggbb attendu)`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/**
 * Compression of the PNG maps: zlib's default. Level 9 cost about 60 ms per map (two maps per département) for a
 * schéma 3 % smaller.
 */
const PNG_DEFLATE_LEVEL = 6;

/** A PNG of 8-bit RGB rows, each already prefixed with its filter byte. */
export function encodePng(width: number, height: number, filteredRows: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const chunks = [chunk("IHDR", header), chunk("IDAT", deflateSync(filteredRows, { level: PNG_DEFLATE_LEVEL })), chunk("IEND", new Uint8Array(0))];
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(signature, 0);
  let offset = 8;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
