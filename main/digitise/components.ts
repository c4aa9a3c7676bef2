import type { PixelBox, RawImage } from './types';

/**
 * Connected components (8-connected) of the black pixels of a 0/255 image, found run by run:
 * each row's black runs are joined to the overlapping runs of the row above with a union-find,
 * so memory grows with the number of runs, not with the page.
 */
export interface Component extends PixelBox {
  area: number;
}

export function connectedComponents(bin: RawImage, maxArea = Infinity): Component[] {
  const { width: w, height: h, data } = bin;
  let cap = 1024;
  let runStart: Int32Array = new Int32Array(cap);
  let runEnd: Int32Array = new Int32Array(cap);
  let runRow: Int32Array = new Int32Array(cap);
  let parent: Int32Array = new Int32Array(cap);
  let n = 0;
  const grow = (): void => {
    cap *= 2;
    const re = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    runStart = re(runStart);
    runEnd = re(runEnd);
    runRow = re(runRow);
    parent = re(parent);
  };
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      if (ra < rb) parent[rb] = ra;
      else parent[ra] = rb;
    }
  };
  let prevFirst = 0;
  let prevLast = 0;
  for (let y = 0; y < h; y++) {
    const first = n;
    const o = y * w;
    let x = 0;
    let j0 = prevFirst;
    while (x < w) {
      while (x < w && data[o + x] !== 0) x++;
      if (x >= w) break;
      const s = x;
      while (x < w && data[o + x] === 0) x++;
      if (n >= cap) grow();
      runStart[n] = s;
      runEnd[n] = x;
      runRow[n] = y;
      parent[n] = n;
      // 8-connectivity: runs of the previous row touching [s-1, x] join.
      while (j0 < prevLast && runEnd[j0]! < s) j0++;
      for (let j = j0; j < prevLast && runStart[j]! <= x; j++) union(n, j);
      n++;
    }
    prevFirst = first;
    prevLast = n;
  }
  const index = new Map<number, Component>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let c = index.get(r);
    if (c === undefined) {
      c = { x0: runStart[i]!, y0: runRow[i]!, x1: runEnd[i]!, y1: runRow[i]! + 1, area: 0 };
      index.set(r, c);
    }
    c.area += runEnd[i]! - runStart[i]!;
    if (runStart[i]! < c.x0) c.x0 = runStart[i]!;
    if (runEnd[i]! > c.x1) c.x1 = runEnd[i]!;
    if (runRow[i]! + 1 > c.y1) c.y1 = runRow[i]! + 1;
  }
  const out: Component[] = [];
  for (const c of index.values()) if (c.area <= maxArea) out.push(c);
  return out;
}

/** Black pixels of `bin` inside a box (clipped to the image). */
export function inkIn(bin: RawImage, box: PixelBox): number {
  const x0 = Math.max(0, box.x0);
  const y0 = Math.max(0, box.y0);
  const x1 = Math.min(bin.width, box.x1);
  const y1 = Math.min(bin.height, box.y1);
  let n = 0;
  for (let y = y0; y < y1; y++) {
    const o = y * bin.width;
    for (let x = x0; x < x1; x++) if (bin.data[o + x] === 0) n++;
  }
  return n;
}

export interface SpeckTier {
  /** Components of at most this many pixels… */
  maxArea: number;
  /** …with no other ink (other specks aside) within this many pixels of their box… */
  isolation: number;
  /** …and passing this test, are specks. */
  accept?: (c: Component) => boolean;
}

/**
 * Isolated specks: small components with no other ink nearby, other specks aside (dust comes in
 * clusters). Several tiers can be given, e.g. tiny dots with a short isolation distance and larger
 * blobs only when far from everything. A dot of an i, a tone mark, the dot below (ạ, ệ), a full
 * stop or a dot leader sits close to other ink and is kept.
 */
export function findSpecks(bin: RawImage, tiers: readonly SpeckTier[]): Component[] {
  if (tiers.length === 0) return [];
  const small = connectedComponents(bin, Math.max(...tiers.map((t) => t.maxArea)));
  const cell = 32;
  const cols = Math.ceil(bin.width / cell) + 1;
  const grid = new Map<number, Component[]>();
  for (const c of small) {
    const key = Math.floor(c.y0 / cell) * cols + Math.floor(c.x0 / cell);
    const list = grid.get(key);
    if (list === undefined) grid.set(key, [c]);
    else list.push(c);
  }
  const isolated = (c: Component, r: number): boolean => {
    const box = { x0: c.x0 - r, y0: c.y0 - r, x1: c.x1 + r, y1: c.y1 + r };
    let ink = inkIn(bin, box);
    // Subtract the small components lying wholly inside the neighbourhood (this one included).
    for (let cy = Math.floor(Math.max(0, box.y0) / cell); cy <= Math.floor(Math.max(0, box.y1) / cell); cy++) {
      for (let cx = Math.floor(Math.max(0, box.x0) / cell); cx <= Math.floor(Math.max(0, box.x1) / cell); cx++) {
        for (const o of grid.get(cy * cols + cx) ?? []) {
          if (o.x0 >= box.x0 && o.y0 >= box.y0 && o.x1 <= box.x1 && o.y1 <= box.y1) ink -= o.area;
        }
      }
    }
    return ink <= 0;
  };
  return small.filter((c) =>
    tiers.some((t) => c.area <= t.maxArea && (t.accept?.(c) ?? true) && isolated(c, t.isolation)),
  );
}

/** Sets the boxes (grown by `margin`) to white in every channel. */
export function whitenBoxes(image: RawImage, boxes: readonly PixelBox[], margin = 0): void {
  const c = image.channels;
  for (const b of boxes) {
    const x0 = Math.max(0, b.x0 - margin);
    const y0 = Math.max(0, b.y0 - margin);
    const x1 = Math.min(image.width, b.x1 + margin);
    const y1 = Math.min(image.height, b.y1 + margin);
    for (let y = y0; y < y1; y++) image.data.fill(255, (y * image.width + x0) * c, (y * image.width + x1) * c);
  }
}
