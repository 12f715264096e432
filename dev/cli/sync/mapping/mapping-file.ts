import { z } from 'zod';

import { parseYamlDocument, readInputFile } from '../yaml-file';

// The mapping file: one YAML map, `source column: destination field`, e.g.
//   Asset ID: asset_id
//   Headline: name
//   Market: region
// Each value is a destination field name (or display name) from the app's schema, or `_isDeleted`.
const mappingFileSchema = z.record(
  z.string().trim().min(1, 'a source column name is empty'),
  z.string({ error: 'must be a destination field name' }).trim().min(1, 'names no destination field'),
);

/** Source column to the text the user wrote for its destination (resolved later against the schema). */
export type MappingFile = Map<string, string>;

export async function loadMappingFile(file: string): Promise<MappingFile> {
  const text = await readInputFile(file, '--mapping');
  return parseMappingFile(text, file);
}

export function parseMappingFile(text: string, file = 'mapping file'): MappingFile {
  const parsed = mappingFileSchema.safeParse(parseYamlDocument(text, file));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `"${String(issue.path[0])}": ${issue.message}` : issue.message,
    );
    throw new Error(
      `${file} must be a YAML map of "source column: destination field" lines (${problems.join('; ')}), for example:\n` +
        '  Asset ID: asset_id\n  Headline: name',
    );
  }
  const mapping = new Map(Object.entries(parsed.data));
  if (mapping.size === 0) {
    throw new Error(`${file} maps no columns; add "source column: destination field" lines`);
  }
  return mapping;
}
