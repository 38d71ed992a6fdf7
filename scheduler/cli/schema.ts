import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { fleetSchema } from '../../regions/fleet/schema.js';
import { displayPath } from '../diagnostics/display-path.js';
import { EXIT, type CliIo } from './io.js';

/** The JSON Schema of fleet files, generated from the same zod schema the loader uses. */
export function fleetJsonSchema(): string {
  const schema = z.toJSONSchema(fleetSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return JSON.stringify({ ...schema, $id: 'https://shisa.dev/schemas/fleet.schema.json' }, null, 2) + '\n';
}

/** `shisa schema [--output FILE]` */
export async function schemaCommand(options: { readonly output?: string }, io: CliIo): Promise<number> {
  const text = fleetJsonSchema();
  if (options.output) {
    await writeFile(resolve(io.cwd, options.output), text);
    io.stderr(`wrote ${displayPath(io.cwd, options.output)}\n`);
  } else {
    io.stdout(text);
  }
  return EXIT.ok;
}
