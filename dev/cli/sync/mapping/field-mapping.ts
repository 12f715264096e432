import { DELETED_MARKER } from '../../../../src/lib/delivery';
import type { DestinationField } from './destination-fields';
import type { MappingFile } from './mapping-file';

export interface MappedColumn {
  column: string;
  /** A destination field name, or DELETED_MARKER. */
  field: string;
  /** How the column was matched: from the mapping file, or by the field's name or display name. */
  via: 'mapping file' | 'name' | 'display name' | 'delete flag';
}

export interface UnmatchedColumn {
  column: string;
  reason: string;
}

/**
 * Which source column feeds which destination field. With a mapping file, the file is the whole
 * mapping (as in the Sync Manager, unmapped columns are not sent); without one, each column is
 * matched to the field with the same name or display name, ignoring case and punctuation.
 * Columns first seen later in a JSON Lines file are matched when they appear.
 */
export class FieldMapping {
  private readonly byColumn = new Map<string, MappedColumn | UnmatchedColumn>();
  private readonly fieldsTaken = new Map<string, string>();
  private readonly seen = new Set<string>();

  private constructor(
    private readonly fields: readonly DestinationField[],
    private readonly file: MappingFile | undefined,
  ) {}

  /** Throws when the mapping file names a field the destination does not have, or maps one field twice. */
  public static create(fields: readonly DestinationField[], file?: MappingFile): FieldMapping {
    const mapping = new FieldMapping(fields, file);
    if (file) {
      for (const [column, target] of file) {
        const field = target === DELETED_MARKER ? DELETED_MARKER : findField(fields, target)?.name;
        if (!field) {
          throw new Error(
            `mapping file: column "${column}" maps to "${target}", which is not a destination field. ` +
              `Valid fields: ${fields.map((f) => f.name).join(', ')} (or ${DELETED_MARKER} for the delete flag)`,
          );
        }
        const other = mapping.fieldsTaken.get(field);
        if (other !== undefined) {
          throw new Error(
            `mapping file: columns "${other}" and "${column}" both map to "${field}"; map each field once`,
          );
        }
        mapping.fieldsTaken.set(field, column);
        mapping.byColumn.set(column, { column, field, via: 'mapping file' });
      }
    }
    return mapping;
  }

  public get primaryField(): DestinationField {
    const primary = this.fields.find((f) => f.primary) ?? this.fields[0];
    if (!primary) throw new Error('the destination schema has no fields');
    return primary;
  }

  /** The destination field for a column, or undefined when the column is not sent. */
  public fieldFor(column: string): string | undefined {
    this.seen.add(column);
    const entry = this.byColumn.get(column) ?? this.match(column);
    return 'field' in entry ? entry.field : undefined;
  }

  /** Matches the given columns (e.g. the header) now, so the report before the sync is complete. */
  public observe(columns: Iterable<string>): void {
    for (const column of columns) this.fieldFor(column);
  }

  public get mapped(): MappedColumn[] {
    return [...this.byColumn.values()].filter((e): e is MappedColumn => 'field' in e);
  }

  public get unmatched(): UnmatchedColumn[] {
    return [...this.byColumn.values()].filter((e): e is UnmatchedColumn => !('field' in e));
  }

  /** Mapping-file columns never seen in the source so far. */
  public get missingColumns(): string[] {
    return this.file ? [...this.file.keys()].filter((c) => !this.seen.has(c)) : [];
  }

  /** The mapping file's lines whose column the source has not shown so far, with their field. */
  public get missingMappings(): MappedColumn[] {
    return this.mapped.filter((m) => m.via === 'mapping file' && !this.seen.has(m.column));
  }

  /** The source's columns seen so far, in the order first seen. */
  public get sourceColumns(): string[] {
    return [...this.seen];
  }

  /**
   * Without a mapping file, the columns that look like a delete flag (`Deleted`, `is_deleted`,
   * `IsDeleted`, any case) but do not feed `_isDeleted`: their rows would go out as upserts.
   */
  public get unmappedDeleteFlags(): string[] {
    if (this.file) return [];
    return this.sourceColumns.filter(
      (column) => looksLikeDeleteFlag(column) && this.fieldFor(column) !== DELETED_MARKER,
    );
  }

  private match(column: string): MappedColumn | UnmatchedColumn {
    let entry: MappedColumn | UnmatchedColumn;
    if (column === DELETED_MARKER && !this.fieldsTaken.has(DELETED_MARKER)) {
      entry = { column, field: DELETED_MARKER, via: 'delete flag' };
    } else if (this.file) {
      entry = { column, reason: 'not in the mapping file' };
    } else {
      const found = findField(this.fields, column);
      const taken = found ? this.fieldsTaken.get(found.name) : undefined;
      if (!found) entry = { column, reason: 'no destination field has this name or display name' };
      else if (taken !== undefined) {
        entry = { column, reason: `field "${found.name}" is already fed by column "${taken}"` };
      } else {
        entry = { column, field: found.name, via: found.name === column ? 'name' : matchKind(found, column) };
      }
    }
    if ('field' in entry) this.fieldsTaken.set(entry.field, column);
    this.byColumn.set(column, entry);
    return entry;
  }
}

const normalise = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** Exact name first, then name ignoring case, then display name ignoring case, then either normalised. */
function findField(fields: readonly DestinationField[], text: string): DestinationField | undefined {
  const lower = text.trim().toLowerCase();
  const key = normalise(text);
  return (
    fields.find((f) => f.name === text) ??
    fields.find((f) => f.name.toLowerCase() === lower) ??
    fields.find((f) => f.display_name.trim().toLowerCase() === lower) ??
    fields.find((f) => normalise(f.name) === key) ??
    fields.find((f) => normalise(f.display_name) === key)
  );
}

/** `Deleted`, `delete`, `is_deleted`, `_isDeleted`, `IS-DELETED`: a name that says "this row is a delete". */
export function looksLikeDeleteFlag(column: string): boolean {
  return /^(is)?deleted?$/.test(column.toLowerCase().replace(/[^a-z]/g, ''));
}

function matchKind(field: DestinationField, column: string): MappedColumn['via'] {
  const key = normalise(column);
  return normalise(field.name) === key ? 'name' : 'display name';
}
