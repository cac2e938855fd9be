/**
 * The Map page: every galaxy of a `galmorph map` run at its 2-D position on one canvas. Points are written straight
 * into the canvas's pixels (one typed-array pass per frame, so 100,000 galaxies redraw in a few milliseconds); on top,
 * the screen is cut into thumbnail-sized cells and each cell shows the picture of one galaxy inside it, so zooming in
 * brings out more galaxies as the cells cover less of the map (as `galmorph map` does for its map.png). Wheel zooms
 * around the pointer, dragging pans, a click opens the nearest galaxy's page. Colour by any column the server offers
 * (the map's own, predictions, cluster assignments, catalog columns).
 */
import { parseColor, seriesColor, viridis } from '../../report/palette.js';
import type { ColumnValues, MapData, RunsView } from '../explorer.js';
import { el, errorBox, galaxyHref, getJson, select, thumbUrl } from './dom.js';

/** Thumbnail cell side in screen pixels. */
const CELL = 52;
/** Thumbnail requests in flight at most. */
const MAX_LOADING = 24;
const GREY = 0xff808080;

function packRgb([r, g, b]: readonly [number, number, number]): number {
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values.filter((v) => Number.isFinite(v))).sort();
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

export class MapView {
  readonly canvas: HTMLCanvasElement;
  readonly ids: string[];
  readonly xs: Float32Array;
  readonly ys: Float32Array;
  readonly colours: Uint32Array;
  /** Milliseconds of each full redraw (points and thumbnails), newest last. */
  readonly frameTimes: number[] = [];
  thumbnails: boolean;
  private readonly store: string | null;
  private readonly ctx: CanvasRenderingContext2D;
  private cx = 0;
  private cy = 0;
  private scale = 1;
  private pending = false;
  private readonly images = new Map<string, HTMLImageElement | 'loading' | 'failed'>();
  private loading = 0;
  private image: ImageData | null = null;
  private onFrame: (ms: number) => void;

  constructor(canvas: HTMLCanvasElement, data: MapData, onFrame: (ms: number) => void) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    this.ids = data.ids;
    this.xs = Float32Array.from(data.x);
    this.ys = Float32Array.from(data.y);
    this.colours = new Uint32Array(this.ids.length).fill(packRgb(parseColor(seriesColor(0), 'colour')));
    this.store = data.store;
    this.thumbnails = data.store !== null;
    this.onFrame = onFrame;
    this.fit();
    this.listen();
  }

  /** Centres the central 98% of the galaxies. */
  fit(): void {
    const [x0, x1, y0, y1] = [quantile(this.xs, 0.01), quantile(this.xs, 0.99), quantile(this.ys, 0.01), quantile(this.ys, 0.99)];
    this.cx = (x0 + x1) / 2;
    this.cy = (y0 + y1) / 2;
    const w = Math.max(1, this.canvas.clientWidth);
    const h = Math.max(1, this.canvas.clientHeight);
    this.scale = 0.9 * Math.min(w / (x1 - x0 || 1), h / (y1 - y0 || 1));
    this.redraw();
  }

  /** Colours the points by a column (classes on the series palette, numbers on viridis); returns the legend. */
  colourBy(column: ColumnValues | null): HTMLElement {
    const legend = el('div', { class: 'legend' });
    if (column === null) {
      this.colours.fill(packRgb(parseColor(seriesColor(0), 'colour')));
    } else if (column.kind === 'number') {
      const nums = column.values.filter((v): v is number => typeof v === 'number');
      const min = Math.min(...nums);
      const max = Math.max(...nums);
      column.values.forEach((v, i) => (this.colours[i] = typeof v === 'number' ? packRgb(viridis((v - min) / (max - min || 1))) : GREY));
      legend.append(`${column.column}: viridis from ${min.toPrecision(3)} (dark) to ${max.toPrecision(3)} (yellow); grey = no value`);
    } else {
      const classes = [...new Set(column.values.filter((v): v is string => v !== null).map(String))].sort();
      const index = new Map(classes.map((c, k) => [c, k]));
      column.values.forEach((v, i) => (this.colours[i] = v === null ? GREY : packRgb(parseColor(seriesColor(index.get(String(v)) as number), 'colour'))));
      for (const c of classes.slice(0, 16)) {
        const swatch = el('i');
        swatch.style.background = seriesColor(index.get(c) as number);
        legend.append(el('span', {}, swatch, c));
      }
      if (classes.length > 16) legend.append(`… ${classes.length} classes`);
    }
    this.redraw();
    return legend;
  }

  /** Zooms by `factor` around the screen point (sx, sy) (the canvas centre by default). */
  zoom(factor: number, sx = this.canvas.width / 2, sy = this.canvas.height / 2): void {
    const [x, y] = this.toData(sx, sy);
    this.scale *= factor;
    this.cx = x - (sx - this.canvas.width / 2) / this.scale;
    this.cy = y + (sy - this.canvas.height / 2) / this.scale;
    this.redraw();
  }

  /** Centres the view on a galaxy (keeping the zoom). */
  centreOn(id: string): void {
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    this.cx = this.xs[i];
    this.cy = this.ys[i];
    this.redraw();
  }

  pan(dx: number, dy: number): void {
    this.cx -= dx / this.scale;
    this.cy += dy / this.scale;
    this.redraw();
  }

  private toData(sx: number, sy: number): [number, number] {
    return [this.cx + (sx - this.canvas.width / 2) / this.scale, this.cy - (sy - this.canvas.height / 2) / this.scale];
  }

  /** The galaxy drawn nearest the screen point, within `radius` pixels, or -1. */
  nearest(sx: number, sy: number, radius = 8): number {
    const [w, h] = [this.canvas.width, this.canvas.height];
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.xs.length; i++) {
      const dx = (this.xs[i] - this.cx) * this.scale + w / 2 - sx;
      const dy = (this.cy - this.ys[i]) * this.scale + h / 2 - sy;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Asks for a redraw at the next animation frame. */
  redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  /** Draws the frame now; returns its time in milliseconds. */
  draw(): number {
    const t0 = performance.now();
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w === 0 || h === 0) return 0; // not on the page (another page is shown): nothing to draw
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    if (this.image === null || this.image.width !== w || this.image.height !== h) this.image = this.ctx.createImageData(w, h);
    const pixels = new Uint32Array(this.image.data.buffer);
    pixels.fill(0xff000000);
    const cols = Math.ceil(w / CELL);
    const cells = this.thumbnails ? new Int32Array(cols * Math.ceil(h / CELL)).fill(-1) : null;
    const { xs, ys, colours, scale } = this;
    const ox = w / 2 - this.cx * scale;
    const oy = h / 2 + this.cy * scale;
    for (let i = 0; i < xs.length; i++) {
      const sx = (xs[i] * scale + ox) | 0;
      const sy = (oy - ys[i] * scale) | 0;
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) continue;
      const p = sy * w + sx;
      const c = colours[i];
      pixels[p] = c;
      pixels[p + 1] = c;
      pixels[p + w] = c;
      pixels[p + w + 1] = c;
      if (cells !== null) {
        const k = ((sy / CELL) | 0) * cols + ((sx / CELL) | 0);
        if (cells[k] < 0) cells[k] = i;
      }
    }
    this.ctx.putImageData(this.image, 0, 0);
    if (cells !== null && this.store !== null) this.drawThumbnails(cells, ox, oy);
    const ms = performance.now() - t0;
    this.frameTimes.push(ms);
    if (this.frameTimes.length > 1000) this.frameTimes.shift();
    this.onFrame(ms);
    return ms;
  }

  private drawThumbnails(cells: Int32Array, ox: number, oy: number): void {
    const side = CELL - 6;
    for (const i of cells) {
      if (i < 0) continue;
      const id = this.ids[i];
      const img = this.images.get(id);
      if (img === undefined) {
        if (this.loading < MAX_LOADING) this.load(id);
        continue;
      }
      if (img === 'loading' || img === 'failed') continue;
      const sx = this.xs[i] * this.scale + ox - side / 2;
      const sy = oy - this.ys[i] * this.scale - side / 2;
      this.ctx.drawImage(img, sx, sy, side, side);
      const c = this.colours[i];
      this.ctx.strokeStyle = `rgb(${c & 255},${(c >> 8) & 255},${(c >> 16) & 255})`;
      this.ctx.lineWidth = 2;
      this.ctx.strokeRect(sx, sy, side, side);
    }
  }

  private load(id: string): void {
    this.images.set(id, 'loading');
    this.loading++;
    const img = new Image();
    img.onload = () => {
      this.loading--;
      this.images.set(id, img);
      this.redraw();
    };
    img.onerror = () => {
      this.loading--;
      this.images.set(id, 'failed');
    };
    img.src = thumbUrl(this.store as string, id, 64);
  }

  /** Thumbnails drawn and loaded so far (for the tests and the status line). */
  get loadedThumbnails(): number {
    return [...this.images.values()].filter((v) => typeof v !== 'string').length;
  }

  private listen(): void {
    let drag: { x: number; y: number; moved: number } | null = null;
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom(Math.exp(-e.deltaY * 0.0015), e.offsetX, e.offsetY);
    }, { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: 0 };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (drag === null) return;
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
      drag = { x: e.clientX, y: e.clientY, moved: drag.moved + Math.abs(dx) + Math.abs(dy) };
      this.pan(dx, dy);
    });
    this.canvas.addEventListener('pointerup', (e) => {
      const click = drag !== null && drag.moved < 4;
      drag = null;
      if (!click || this.store === null) return;
      const i = this.nearest(e.offsetX, e.offsetY, CELL / 2);
      if (i >= 0) location.hash = galaxyHref(this.store, this.ids[i]);
    });
    window.addEventListener('resize', () => this.redraw());
  }
}

export async function mapPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const runs = await getJson<RunsView>('/api/runs');
  if (runs.maps.length === 0) {
    main.append(el('p', {}, 'No map in the served folder: make one with galmorph map --embeddings DIR/EMBED --out DIR/MAP.'));
    return;
  }
  const name = query.get('run') ?? runs.maps[0].name;
  const data = await getJson<MapData>('/api/map', { run: name });
  const status = el('span', { class: 'status' });
  const legend = el('div', { class: 'legend' });
  const canvas = el('canvas', { class: 'map', 'aria-label': `map ${name}` });
  const thumbs = el('input', { type: 'checkbox', checked: data.store !== null, disabled: data.store === null });
  main.append(el('div', { class: 'controls' },
    select(runs.maps.map((m) => m.name), name, (v) => (location.hash = `#/map?${new URLSearchParams({ run: v })}`), 'map'),
    select(['(none)', ...data.columns], query.get('colour') ?? '(none)', (v) => void colour(v), 'colour by'),
    el('label', {}, thumbs, ' thumbnails'),
    status), canvas, legend);
  const describe = (ms: number) => {
    status.textContent = `${data.ids.length.toLocaleString()} galaxies${data.store === null ? ' (no embeddings store linked: no thumbnails)' : ''}; frame ${ms.toFixed(1)} ms`;
  };
  const view = new MapView(canvas, data, describe);
  thumbs.addEventListener('change', () => {
    view.thumbnails = thumbs.checked;
    view.redraw();
  });
  (window as unknown as { galmorphExplorer: Record<string, unknown> }).galmorphExplorer.map = view;
  async function colour(column: string): Promise<void> {
    try {
      legend.replaceChildren(view.colourBy(column === '(none)' ? null : await getJson<ColumnValues>('/api/map/column', { run: name, column })));
    } catch (e) {
      legend.replaceChildren(errorBox(e));
    }
  }
  const initial = query.get('colour');
  if (initial !== null) await colour(initial);
}
