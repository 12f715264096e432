import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Relative links in markdown must point at files that exist, and their `#anchor` at a heading of
// the page for an in-page link (what the SDK's remark link check reports as "Link to unknown file"
// and "Link to unknown heading"). Covers inline links and images `[t](x)`, `![a](x)`, and reference definitions
// `[id]: x`; skips code and URLs with a scheme. Not matched: the SDK's "Did you mean" suggestions.

const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const FENCE = /^ {0,3}(```|~~~)/;

// A target starting with `/` is skipped: the SDK's check (remark-validate-links without a
// repository) cannot tell what such a path is relative to, and ignores it.
function isLocalTarget(target: string): boolean {
  return target !== '' && !target.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** Blanks out inline code spans, keeping columns, so links inside them are ignored. */
const withoutCodeSpans = (line: string) => line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length));

/**
 * The anchors of a page's headings, as GitHub (and the SDK's check, through github-slugger) makes
 * them: lower case, punctuation dropped, spaces as `-`, a repeated slug numbered `-1`, `-2`, ...
 * ATX (`## Title`) and setext (a line under `===` or `---`) headings; inline markup reduced to text.
 */
export function headingAnchors(markdown: string): Set<string> {
  const lines = markdown.split(/\r?\n/);
  const texts: string[] = [];
  let inFence = false;
  lines.forEach((line, index) => {
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) return;
    const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(line);
    if (atx) texts.push(atx[1] ?? '');
    const next = lines[index + 1] ?? '';
    if (!atx && line.trim() !== '' && /^ {0,3}(=+|-+)\s*$/.test(next)) texts.push(line.trim());
  });
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const text of texts) {
    const plain = text.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base);
    seen.set(base, (count ?? -1) + 1);
    anchors.add(count === undefined ? base : `${base}-${count + 1}`);
  }
  return anchors;
}

/**
 * Messages for every relative link in `file` whose target is missing; `appRoot`-relative paths in
 * the message, positions as `line:column-line:column` (end column one past the link).
 */
export function findBrokenLinks(appRoot: string, file: string): string[] {
  let anchors: Set<string> | undefined;
  const anchorsOf = (page: string): Set<string> => (anchors ??= headingAnchors(readFileSync(page, 'utf8')));
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
      const at = `${index + 1}:${start + 1}-${index + 1}:${end + 1}`;
      const filePart = decodeURI(target.replace(/[#?].*$/, ''));
      const hash = /#(.*)$/.exec(target)?.[1];
      const resolved = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
      // Named as the SDK names it: relative to the linking file, normalised (`./a.md` is `a.md`).
      const named = path.relative(path.dirname(file), resolved).split(path.sep).join('/');
      if (!existsSync(resolved)) {
        problems.push(`Link to unknown file: \`${named}\` in ${relativeFile}:${at}.`);
      } else if (hash && resolved === file && !anchorsOf(file).has(decodeURIComponent(hash).toLowerCase())) {
        // Only the page's own anchors, in any case: the SDK checks each page alone (an anchor into
        // another page is not checked there) and matches anchors case-insensitively.
        problems.push(`Link to unknown heading: \`${hash}\` in ${relativeFile}:${at}.`);
      }
    }
  });
  return problems;
}
