import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';

import { describeFileProblem } from '../file-problem';

// The runner's YAML inputs (--mapping, --settings): read and parse, with errors that name the flag,
// the file and what is wrong. Shape checks belong to each input's own schema.

/** The file's text; an unreadable file names the flag, the path and why, in words. */
export async function readInputFile(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(describeFileProblem(flag, file, error), { cause: error });
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
