/**
 * Built-in schemas by name, and user schemas from JSON files.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../util/errors.js';
import { readTextFile } from '../csv.js';
import { createSchema, type Schema, type SchemaDef } from '../schema.js';
import { DECALS_DR5 } from './decalsDr5.js';
import { GZ2 } from './gz2.js';
import { Q1 } from './q1.js';

export type BuiltinSchemaName = 'gz2' | 'decals-dr5' | 'q1';

export const BUILTIN_SCHEMAS: readonly BuiltinSchemaName[] = ['gz2', 'decals-dr5', 'q1'];

function builtinDef(name: BuiltinSchemaName): SchemaDef {
  switch (name) {
    case 'gz2':
      return GZ2;
    case 'decals-dr5':
      return DECALS_DR5;
    case 'q1':
      return Q1;
  }
}

export function isBuiltinSchemaName(name: string): name is BuiltinSchemaName {
  return (BUILTIN_SCHEMAS as readonly string[]).includes(name);
}

/**
 * A built-in schema by name, or a schema declared in a JSON file (a `SchemaDef`: name, description?,
 * questions[{key, text, answers[{key, text, column?, aliases?}], parent?{question, answer}}]).
 */
export function getSchema(nameOrPath: BuiltinSchemaName | string): Schema {
  if (isBuiltinSchemaName(nameOrPath)) return createSchema(builtinDef(nameOrPath));
  return loadSchemaFile(nameOrPath);
}

/** Read and validate a JSON schema file; errors name the file and the JSON path. */
export function loadSchemaFile(path: string): Schema {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new InputError(`no built-in schema "${path}" and no such file`, { file }, `use one of ${BUILTIN_SCHEMAS.join(', ')} or the path of a JSON schema file`);
  }
  const text = readTextFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file }, 'fix the JSON syntax');
  }
  return createSchema(parsed as SchemaDef, file);
}
