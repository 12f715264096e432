// The page's server keeps uploads, mapping files, rejection files and the app's log under a temporary
// directory. Those paths mean nothing to the person at the page (the file is theirs under its own
// name), so every text the page is sent names such a file by its name alone.

/** `text` with every path under `tempRoot` replaced by the file's (or folder's) last name. */
export function withoutTempPaths(text: string, tempRoot: string): string {
  const root = tempRoot.replace(/[/\\]+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A path ends where JSON, a quote or whitespace does; Windows separators are matched as well.
  const pattern = new RegExp(`${root}(?:[/\\\\]+[^\\s"'\`/\\\\]+)*[/\\\\]+([^\\s"'\`/\\\\]+)`, 'g');
  return text.replace(pattern, '$1');
}
