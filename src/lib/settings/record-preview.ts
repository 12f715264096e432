import type { BatchPreview, FieldVerdict, RecordPreview } from '../delivery/preview';
import { parseFixedValues } from '../fields/fixed-values';
import { escapeMarkdown } from '../markdown-text';
import { shorten } from '../shorten';

// "Try a record" in the settings form: the pasted record read into what OCP would send, and the
// preview of it (delivery/preview.ts) written as the Markdown the section's `instructions` show.
// Every key, value and reason in that text came from the record or from Bynder: each is escaped
// (markdown-text.ts), and the whole answer is bounded, because it is stored in the settings row.

/** The most characters a pasted record may have: far above one record, far below what a row holds. */
export const MAX_RECORD_TEXT = 20_000;
/**
 * How long a preview may take: a person waits on the form, and OCP ends a form action long before
 * a delivery's budget. Reads not started by then are not made, and the answer says what is unknown.
 */
export const PREVIEW_TIME_BUDGET_MS = 20_000;
/** The most characters of the stored answer (the settings row holds it with the record). */
export const MAX_ANSWER_TEXT = 6_000;

export type RecordText = { ok: true; record: Record<string, unknown> } | { ok: false; problem: string };

/**
 * The pasted text as one record: a JSON object, or `field: value` lines with the field names the
 * mapping shows (as in "Fixed values"; a delete needs JSON: `{"asset_id": "…", "_isDeleted": true}`).
 */
export function readRecordText(text: string): RecordText {
  const trimmed = text.trim();
  if (trimmed === '') {
    return {
      ok: false,
      problem:
        'Paste one record: a JSON object such as {"asset_id": "…", "description": "…"}, or one "field: value" per line',
    };
  }
  if (trimmed.length > MAX_RECORD_TEXT) {
    return {
      ok: false,
      problem: `The record is ${trimmed.length.toLocaleString('en-US')} characters long; paste one record of at most ${MAX_RECORD_TEXT.toLocaleString('en-US')} characters`,
    };
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      return {
        ok: false,
        problem: `The record is not valid JSON (${error instanceof Error ? error.message : String(error)}); paste one JSON object, or one "field: value" per line`,
      };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return {
        ok: false,
        problem: 'The JSON is not one object; paste a single record such as {"asset_id": "…"}',
      };
    }
    return { ok: true, record: parsed as Record<string, unknown> };
  }
  const lines = parseFixedValues(trimmed);
  if (!lines.ok) {
    return {
      ok: false,
      problem: lines.problems
        .slice(0, 3)
        .map((p) => p.message)
        .join('\n'),
    };
  }
  const record: Record<string, unknown> = {};
  for (const { field, value } of lines.values) record[field] = value;
  return { ok: true, record };
}

/** The toast and the stored Markdown answer of one previewed record. */
export function describePreview(
  preview: BatchPreview,
  at: Date,
): { toast: string; intent: 'success' | 'warning'; markdown: string } {
  const record = preview.records[0];
  if (!record) return { toast: 'Nothing to preview.', intent: 'warning', markdown: '' };
  const markdown = bound(renderRecord(record, preview, at));
  const intent = record.status === 'rejected' || record.status === 'unknown' ? 'warning' : 'success';
  return {
    toast: `${shorten(headline(record), 300)} Nothing was written to Bynder; the details are below.`,
    intent,
    markdown,
  };
}

/** One sentence on what a delivery would do with the record. */
function headline(record: RecordPreview): string {
  const who = record.subject;
  const changing = record.fields.filter((f) => f.change === 'changes' || f.change === 'not compared').length;
  switch (record.status) {
    case 'rejected':
      return `${who} would be rejected (${record.problems.length} problem${record.problems.length === 1 ? '' : 's'}).`;
    case 'unchanged':
      return `${who}: Bynder holds every value already; nothing would be written.`;
    case 'changes':
      return `${who} would be written: ${changing} field${changing === 1 ? '' : 's'} would change.`;
    case 'create':
      return `${who}: no asset has this key; it would be created from the record's file.`;
    case 'delete':
      return `${who} is a delete: the asset would be ${record.notes.some((n) => n.includes('trash')) ? 'deleted' : 'archived'}.`;
    case 'nothing':
      return `${who}: nothing would be written.`;
    case 'unknown':
      return `${who}: Bynder could not be read, so what would change is not known.`;
  }
}

function renderRecord(record: RecordPreview, preview: BatchPreview, at: Date): string {
  const e = escapeMarkdown;
  const lines: string[] = [
    `**Preview of ${e(record.subject)}**, ${e(at.toISOString())}: ${e(headline(record))} Nothing was written to Bynder.`,
    '',
  ];
  const target = record.target;
  if (target) {
    const how =
      target.by === 'asset id'
        ? `by asset id ${e(target.key)}`
        : `by external key ${e(target.metaproperty ?? '')} = ${e(JSON.stringify(target.key))}`;
    const exists =
      target.exists === 'yes'
        ? `asset ${e(target.id ?? target.key)} exists`
        : target.exists === 'no'
          ? `no such asset${target.note ? ` (${e(target.note)})` : ''}`
          : `not known${target.note ? ` (${e(target.note)})` : ''}`;
    lines.push(`**Target:** ${how}: ${exists}.`, '');
  } else if (preview.matchBy.kind === 'external_key' && record.status !== 'rejected') {
    lines.push(`**Target:** by external key ${e(preview.matchBy.metaproperty)}; not looked up.`, '');
  }
  const recordProblems = record.problems.filter(
    (p) =>
      p.field === undefined || !record.fields.some((f) => f.field === p.field && f.verdict === 'rejected'),
  );
  if (recordProblems.length > 0) {
    lines.push('**Rejected:**');
    for (const p of recordProblems.slice(0, 10)) {
      lines.push(`- ${p.field ? `${e(p.field)}: ` : ''}${e(p.problem)}`);
    }
    lines.push('');
  }
  if (record.fields.length > 0) {
    lines.push('**Fields:**');
    for (const field of record.fields) lines.push(`- ${renderField(field)}`);
    lines.push('');
  }
  for (const note of record.notes) lines.push(`- ${e(note)}`);
  return lines.join('\n').trimEnd();
}

function renderField(field: FieldVerdict): string {
  const e = escapeMarkdown;
  const name = `**${e(field.field)}**`;
  const note = field.note ? ` (${e(field.note)})` : '';
  // Typographic quotes: Markdown gives them no meaning, so they need no escape of their own.
  const quoted = (value: string | undefined) => (value === undefined ? '' : `“${e(value)}”`);
  switch (field.verdict) {
    case 'rejected':
      return `${name}: rejected: ${e(field.note ?? '')}`;
    case 'unknown field':
      return `${name}: not sent${note}`;
    case 'identifies':
      return `${name}: names the asset (not written)`;
    case 'left':
      return `${name}: not sent${note}`;
    case 'accepted':
    case 'cleared': {
      const sent = field.verdict === 'cleared' ? 'cleared' : `accepted, sent as ${quoted(field.sent)}`;
      const change =
        field.change === 'unchanged'
          ? ': unchanged'
          : field.change === 'changes' && field.held !== undefined
            ? `: ${quoted(field.held)} → ${field.verdict === 'cleared' ? '(empty)' : quoted(field.sent)}`
            : field.change === 'not compared'
              ? `: would be sent${field.held !== undefined ? ` (Bynder holds ${quoted(field.held)})` : ''}`
              : field.change === 'changes'
                ? ': changes'
                : '';
      return `${name}: ${sent}${change}${note}`;
    }
  }
}

/** The answer cut at a line to MAX_ANSWER_TEXT, saying so. */
function bound(markdown: string): string {
  if (markdown.length <= MAX_ANSWER_TEXT) return markdown;
  const tail = '\n\n… (cut: the answer is longer than the form shows; preview fewer fields)';
  const cut = markdown.slice(0, MAX_ANSWER_TEXT - tail.length);
  const lastLine = cut.lastIndexOf('\n');
  return `${lastLine > 0 ? cut.slice(0, lastLine) : cut}${tail}`;
}
