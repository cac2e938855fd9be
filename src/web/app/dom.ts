/** Small helpers of the explorer's pages: elements, the JSON API (errors shown as the server's reason), thumbnails. */

type Child = Node | string | null | undefined | false;

/** An element with attributes (`on…` functions become listeners) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value as EventListener);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** An error from the server (its `error` field) or the network. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }))) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export async function getJson<T>(path: string, query: Record<string, string | number> = {}): Promise<T> {
  const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return answer<T>(await fetch(`${path}${Object.keys(query).length > 0 ? `?${q}` : ''}`));
}

export async function postJson<T>(path: string, query: Record<string, string>, body: unknown): Promise<T> {
  return answer<T>(await fetch(`${path}?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

export async function postFile<T>(path: string, query: Record<string, string>, file: Blob): Promise<T> {
  return answer<T>(await fetch(`${path}?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': file.type }, body: file }));
}

/** The URL of a file of the served folder (its path relative to the folder, '/'-separated). */
export function fileUrl(rel: string): string {
  return `/files/${rel.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Figures of the served folder as a gallery: each image (lazy-loaded) captioned by `caption` (default its path);
 * `className` 'figures' or 'figures grid'.
 */
export function figureGallery(files: readonly string[], caption: (file: string) => string = (f) => f, className = 'figures'): HTMLElement {
  return el('div', { class: className }, ...files.map((f) => el('figure', {}, el('img', { src: fileUrl(f), alt: f, loading: 'lazy' }), el('figcaption', {}, caption(f)))));
}

export function thumbUrl(store: string, id: string, size = 72, stretch = 'arcsinh'): string {
  return `/api/thumb?${new URLSearchParams({ store, id, size: String(size), stretch })}`;
}

export function galaxyHref(store: string, id: string): string {
  return `#/galaxy?${new URLSearchParams({ store, id })}`;
}

export function errorBox(e: unknown): HTMLElement {
  return el('p', { class: 'error' }, (e as Error).message ?? String(e));
}

/** A select of `options` with `value` chosen, calling `onChange` with the new value. */
export function select(options: readonly string[], value: string | null, onChange: (v: string) => void, label: string): HTMLLabelElement {
  const s = el('select', { onchange: () => onChange(s.value), 'aria-label': label });
  for (const o of options) s.append(el('option', { value: o, selected: o === value }, o));
  return el('label', {}, `${label} `, s);
}

/** Thumbnails of galaxies with captions, each linking to its Galaxy page. */
export function thumbnailStrip(store: string, items: readonly { id: string; caption: string; current?: boolean }[]): HTMLElement {
  return el('div', { class: 'thumbs' }, ...items.map((it) => el('figure', { class: it.current === true ? 'current' : undefined },
    el('a', { href: galaxyHref(store, it.id) }, el('img', { src: thumbUrl(store, it.id), alt: it.id })),
    el('figcaption', {}, it.caption))));
}
