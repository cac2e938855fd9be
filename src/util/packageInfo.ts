/** The installed package's own name and version, read from its package.json (one source of truth for `--version`). */
import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;

export const PACKAGE_NAME: string = packageJson.name;
export const PACKAGE_VERSION: string = packageJson.version;
