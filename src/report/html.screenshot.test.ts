/**
 * The HTML report as a person sees it: a real report (one configuration, 40 runs) rendered by
 * headless Chromium, offline, to a 1280×2000 PNG. The PNG is decoded here (zlib + PNG filters)
 * and must be the right size, not blank, and show the matrix's colours (green "holds" cells,
 * the amber expected counterexample, the violation box).
 *
 * Needs Debian's chromium at /usr/bin/chromium: .ci/run installs it. Without it the test fails
 * (it is not skipped), saying how to install it. Set GROUPCHECK_SCREENSHOT_DIR to keep the PNG.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { rowById } from '../check/matrix.ts';
import { searchRow } from '../check/search.ts';
import { renderHtml } from './html.ts';
import { buildCheckReport } from './runReport.ts';

const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1280;
const HEIGHT = 2000;
const CHROMIUM_TIMEOUT_MS = 90_000;

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel. */
  readonly rgba: Buffer;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes). */
const decodePng = (png: Buffer): Image => {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off + 8 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    off += 12 + len;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`);
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const cur = y * stride;
    const prev = cur - stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x] as number;
      const a = x >= channels ? (px[cur + x - channels] as number) : 0;
      const b = y > 0 ? (px[prev + x] as number) : 0;
      const c = x >= channels && y > 0 ? (px[prev + x - channels] as number) : 0;
      let out: number;
      switch (filter) {
        case 0:
          out = v;
          break;
        case 1:
          out = v + a;
          break;
        case 2:
          out = v + b;
          break;
        case 3:
          out = v + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      px[cur + x] = out & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: px };
  const rgba = Buffer.alloc(width * height * 4, 255);
  for (let i = 0; i < width * height; i++) px.copy(rgba, i * 4, i * 3, i * 3 + 3);
  return { width, height, rgba };
};

/** Runs Chromium headless to screenshot `url`; kills its whole process group on timeout. */
const screenshot = (url: string, png: string, profile: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--screenshot=${png}`,
      `--window-size=${WIDTH},${HEIGHT}`,
      url,
    ];
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium did not finish within ${CHROMIUM_TIMEOUT_MS} ms (killed). Output:\n${output.slice(-3000)}`));
    }, CHROMIUM_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      killGroup();
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // helpers (zygote, utility processes) must not outlive the test
      if (code === 0 && existsSync(png)) resolve();
      else reject(new Error(`chromium exited with ${code ?? signal} and ${existsSync(png) ? 'a' : 'no'} screenshot. Output:\n${output.slice(-3000)}`));
    });
  });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('HTML report in a browser', () => {
  it('renders the matrix and a counterexample to a non-blank 1280×2000 screenshot', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test renders the HTML report in Debian's Chromium. Install it with ` +
          '`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does this before npm test).',
      );
    }
    const row = rowById('per-message');
    const result = searchRow(row, { seed: 42, numRuns: 40 });
    expect(result.cells.some((c) => c.counterexample !== null)).toBe(true);
    const report = buildCheckReport([result], {
      seed: 42,
      runs: 40,
      files: new Map([['per-message/noDuplicateProcessing', 'reports/counterexamples/per-message--noDuplicateProcessing.json']]),
    });
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-html-'));
    const profile = mkdtempSync(join(tmpdir(), 'groupcheck-chromium-'));
    dirs.push(dir, profile);
    const html = join(dir, 'latest.html');
    const png = join(dir, 'latest.png');
    writeFileSync(html, renderHtml(report, [row], [result]));

    await screenshot(pathToFileURL(html).href, png, profile);

    if (process.env.GROUPCHECK_SCREENSHOT_DIR) {
      mkdirSync(process.env.GROUPCHECK_SCREENSHOT_DIR, { recursive: true });
      copyFileSync(png, join(process.env.GROUPCHECK_SCREENSHOT_DIR, 'latest.png'));
      copyFileSync(html, join(process.env.GROUPCHECK_SCREENSHOT_DIR, 'latest.html'));
    }
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true);
    expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT]);
    expect(statSync(png).size).toBeGreaterThan(30_000); // a blank 1280×2000 page compresses to a few KB

    const img = decodePng(bytes);
    const colours = new Map<number, number>();
    for (let i = 0; i < img.rgba.length; i += 4) {
      const key = ((img.rgba[i] as number) << 16) | ((img.rgba[i + 1] as number) << 8) | (img.rgba[i + 2] as number);
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
    const total = img.width * img.height;
    const count = (hex: number): number => colours.get(hex) ?? 0;
    // Not blank: many colours (text antialiasing), and no single colour covers almost everything.
    expect(colours.size).toBeGreaterThan(200);
    expect(Math.max(...colours.values()) / total).toBeLessThan(0.8);
    // The page background, the green "holds" cells and the amber expected counterexample.
    expect(count(0xf5f6f8)).toBeGreaterThan(total * 0.05);
    expect(count(0xe3f4e8)).toBeGreaterThan(5_000);
    expect(count(0xfff1d6)).toBeGreaterThan(1_000);
    // The violation's message box, in the counterexample section below the matrix.
    expect(count(0xffe0e0)).toBeGreaterThan(2_000);
  }, 180_000);
});
