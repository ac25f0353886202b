/**
 * A generated camera snapshot (PNG): a street scene in flat colours with the detected object as a
 * block where its box says — what `onegrid simulate cameras` and the tests send, so the loop and
 * the box drawn on the case can be seen without a real camera.
 */
import { PNG } from 'pngjs';

const palette: Record<string, [number, number, number]> = {
  'street-vendor': [214, 120, 40],
  garbage: [96, 140, 60],
  debris: [150, 110, 80],
  'illegal-parking': [200, 40, 40],
  burning: [240, 90, 20],
  'construction-occupation': [240, 200, 30],
};

/** `bbox` as fractions [x, y, w, h] of a `width` × `height` image. */
export function snapshotPng(
  type: string,
  bbox: readonly [number, number, number, number],
  width = 320,
  height = 180,
  seed = 1,
): Buffer {
  const png = new PNG({ width, height });
  const [bx, by, bw, bh] = [bbox[0] * width, bbox[1] * height, bbox[2] * width, bbox[3] * height];
  const colour = palette[type] ?? [120, 120, 120];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (width * y + x) << 2;
      let c: [number, number, number];
      if (y < height * 0.35)
        c = [150, 190, 230]; // sky
      else if (y < height * 0.55)
        c = (x + seed * 7) % 64 < 40 ? [170, 165, 160] : [140, 135, 130]; // buildings
      else c = [85, 85, 90]; // road
      if (y > height * 0.75 && y < height * 0.78 && x % 40 < 20) c = [235, 235, 235]; // lane marks
      if (x >= bx && x < bx + bw && y >= by && y < by + bh) c = colour;
      png.data[i] = c[0];
      png.data[i + 1] = c[1];
      png.data[i + 2] = c[2];
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
