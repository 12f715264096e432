import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Relative links in markdown must point at files that exist (what the SDK's remark link check
// reports as "Link to unknown file"). Covers inline links and images `[t](x)`, `![a](x)`, and
// reference definitions `[id]: x`; skips code, URLs with a scheme, and in-page anchors.

const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const FENCE = /^ {0,3}(```|~~~)/;

// A target starting with `/` is skipped: the SDK's check (remark-validate-links without a
// repository) cannot tell what such a path is relative to, and ignores it.
function isLocalTarget(target: string): boolean {
  return (
    target !== '' &&
    !target.startsWith('#') &&
    !target.startsWith('/') &&
    !/^[a-z][a-z0-9+.-]*:/i.test(target)
  );
}

/** Blanks out inline code spans, keeping columns, so links inside them are ignored. */
const withoutCodeSpans = (line: string) => line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length));

/**
 * Messages for every relative link in `file` whose target is missing; `appRoot`-relative paths in
 * the message, positions as `line:column-line:column` (end column one past the link).
 */
export function findBrokenLinks(appRoot: string, file: string): string[] {
  const relativeFile = path.relative(appRoot, file).split(path.sep).join('/');
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const problems: string[] = [];
  let inFence = false;
  lines.forEach((rawLine, index) => {
    if (FENCE.test(rawLine)) {
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    const line = withoutCodeSpans(rawLine);
    const found: Array<{ target: string; start: number; end: number }> = [];
    const definition = DEFINITION.exec(line);
    if (definition) found.push({ target: definition[1] ?? '', start: 0, end: line.trimEnd().length });
    for (const match of line.matchAll(INLINE_LINK)) {
      found.push({ target: match[1] ?? '', start: match.index, end: match.index + match[0].length });
    }
    for (const { target, start, end } of found) {
      if (!isLocalTarget(target)) continue;
      const filePart = decodeURI(target.replace(/[#?].*$/, ''));
      if (filePart === '') continue;
      const resolved = path.resolve(path.dirname(file), filePart);
      if (!existsSync(resolved)) {
        const at = `${index + 1}:${start + 1}-${index + 1}:${end + 1}`;
        // Named as the SDK names it: relative to the linking file, normalised (`./a.md` is `a.md`).
        const named = path.relative(path.dirname(file), resolved).split(path.sep).join('/');
        problems.push(`Link to unknown file: \`${named}\` in ${relativeFile}:${at}.`);
      }
    }
  });
  return problems;
}
