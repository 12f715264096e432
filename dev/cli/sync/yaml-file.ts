import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';

// The runner's YAML inputs (--mapping, --settings): read and parse, with errors that name the flag,
// the file and what is wrong. Shape checks belong to each input's own schema.

/** The file's text; an unreadable file names the flag and the system's reason (ENOENT, EACCES, ...). */
export async function readInputFile(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`${flag} "${file}" cannot be read: ${reason}`, { cause: error });
  }
}

/** The parsed YAML document (an empty file is `{}`). */
export function parseYamlDocument(text: string, file: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
