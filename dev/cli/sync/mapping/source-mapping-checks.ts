import { DELETED_MARKER } from '../../../../src/lib/delivery';
import type { SourceFormat } from '../sources/open-source';
import type { FieldMapping } from './field-mapping';

// What stops a run before anything is sent because the source and the mapping do not fit: a run
// that went on would report success while a field is never written or deletes go out as updates.

export interface SourceShape {
  /** The --source path as given. */
  file: string;
  format: SourceFormat;
  /** The --mapping path, when there is one. */
  mappingFile?: string;
  /** Records read to learn the columns (JSON Lines keys may first appear later). */
  recordsSeen: number;
  /** `--allow-missing-columns`: a mapped column the source lacks is reported, not refused. */
  allowMissingColumns?: boolean;
}

/** Why the run must not start, or undefined when the source and the mapping fit. */
export function findMappingProblem(mapping: FieldMapping, shape: SourceShape): string | undefined {
  return findMissingColumns(mapping, shape) ?? findUnmappedDeleteFlag(mapping);
}

function findMissingColumns(mapping: FieldMapping, shape: SourceShape): string | undefined {
  const missing = mapping.missingMappings;
  if (missing.length === 0 || shape.allowMissingColumns) return undefined;
  const columns = mapping.sourceColumns;
  const named = missing
    .map((m) => {
      const target = m.field === DELETED_MARKER ? 'the delete flag' : m.field;
      const near = columns.find((c) => normalise(c) === normalise(m.column));
      return `"${m.column}" (to ${target}${near ? `; the source has "${near}"` : ''})`;
    })
    .join(', ');
  const has =
    shape.format === 'csv'
      ? `Its header row has ${quoteList(columns)}`
      : `Its first ${shape.recordsSeen} record(s) have the keys ${quoteList(columns)}`;
  return (
    `${shape.mappingFile ? `--mapping "${shape.mappingFile}"` : 'the mapping'} maps ` +
    `${missing.length === 1 ? 'a column' : 'columns'} that --source "${shape.file}" does not have: ${named}. ` +
    `${has}. Correct the column names in the mapping file (they must match the source exactly), ` +
    'or pass --allow-missing-columns to sync without them.'
  );
}

function findUnmappedDeleteFlag(mapping: FieldMapping): string | undefined {
  const [column, ...others] = mapping.unmappedDeleteFlags;
  if (column === undefined) return undefined;
  const also = others.length > 0 ? ` (also ${quoteList(others)})` : '';
  return (
    `the source has a column "${column}"${also} that looks like a delete flag, but without --mapping only a ` +
    `column named exactly "${DELETED_MARKER}" marks deletes: its rows would be sent as updates. ` +
    `Pass --mapping with a line "${column}: ${DELETED_MARKER}" (and a line for each other column to send), ` +
    `or rename the column to ${DELETED_MARKER}.`
  );
}

function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 30).map((n) => `"${n}"`);
  if (names.length > shown.length) shown.push(`and ${names.length - shown.length} more`);
  return shown.length > 0 ? shown.join(', ') : '(none)';
}

const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
