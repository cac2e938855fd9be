/**
 * Pictures of galaxies by id for the map and the neighbour grids: the catalog the embeddings came from (its path is
 * in the store's manifest, or given) is read for image paths only, and each wanted image is decoded as an RGB
 * thumbnail with the embed run's crop, so a tile shows what the encoder saw.
 */
import { readCatalog } from '../../data/catalogRead.js';
import { getSchema } from '../../data/schemas/index.js';
import { loadImage } from '../../data/image.js';
import type { GridImage } from '../../report/imageGrid.js';

export interface ThumbnailOptions {
  /** Side in pixels. */
  size: number;
  /** Central crop (as PreprocessOptions.crop). */
  crop: number;
}

/** Image paths of a catalog's galaxies, by id (images are not checked: only the wanted ones are opened). */
export async function catalogImagePaths(catalog: string, allowAbsolutePaths = false): Promise<Map<string, string>> {
  const read = await readCatalog(catalog, { schema: getSchema('gz2'), labelKind: 'none', checkImages: false, onBad: 'skip', allowAbsolutePaths });
  return new Map(read.rows.map((r) => [r.id, r.image]));
}

/** Thumbnails of `ids` (RGB, HWC in [0, 1]); ids without a path or with an unreadable image are listed in `missing`. */
export async function loadThumbnails(paths: Map<string, string>, ids: Iterable<string>, options: ThumbnailOptions): Promise<{ images: Map<string, GridImage>; missing: { id: string; reason: string }[] }> {
  const images = new Map<string, GridImage>();
  const missing: { id: string; reason: string }[] = [];
  for (const id of new Set(ids)) {
    const path = paths.get(id);
    if (path === undefined) {
      missing.push({ id, reason: 'not in the catalog' });
      continue;
    }
    try {
      const image = await loadImage(path, { size: options.size, crop: options.crop, colour: 'rgb' });
      images.set(id, { data: image.data, height: image.height, width: image.width, channels: 3 });
    } catch (e) {
      missing.push({ id, reason: (e as Error).message });
    }
  }
  return { images, missing };
}
