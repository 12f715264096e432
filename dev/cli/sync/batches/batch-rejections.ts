import type { AssetItem, RejectionLogEntry } from '../../../../src/lib/delivery';
import { readRecordKey } from '../../../../src/lib/delivery';

// deliver() answers for the whole batch; which records it rejected, and why, the app writes to its
// rejection log (a kvStore row, reached through src/lib/delivery's index). The runner empties that log
// before each attempt and reads it after, then ties each entry back to batch positions: by key, or for
// a record without a usable key by its position in the subject (`record #4`).

export interface PositionedRejection {
  /** 0-based batch positions. */
  positions: number[];
  field: string;
  reason: string;
}

const POSITION_SUBJECT = /^record #(\d+)$/;
/** The log cuts stored text at 300 characters with a trailing ellipsis. */
const CUT_MARK = '…';

export function locateRejections(
  entries: readonly RejectionLogEntry[],
  items: readonly AssetItem[],
  primaryField: string,
): PositionedRejection[] {
  const positionsByKey = new Map<string, number[]>();
  items.forEach((item, index) => {
    const reading = readRecordKey(item, primaryField);
    if (!reading.ok) return;
    const list = positionsByKey.get(reading.key) ?? [];
    list.push(index);
    positionsByKey.set(reading.key, list);
  });
  return entries.map((entry) => {
    let positions: number[] = [];
    if (entry.key !== undefined) {
      positions = positionsByKey.get(entry.key) ?? [];
      if (positions.length === 0 && entry.key.endsWith(CUT_MARK)) {
        const prefix = entry.key.slice(0, -CUT_MARK.length);
        positions = [...positionsByKey].filter(([key]) => key.startsWith(prefix)).flatMap(([, p]) => p);
      }
    } else {
      const match = POSITION_SUBJECT.exec(entry.subject);
      if (match?.[1]) positions = [Number(match[1]) - 1].filter((p) => p >= 0 && p < items.length);
    }
    return { positions, field: entry.field ?? '', reason: entry.reason };
  });
}
