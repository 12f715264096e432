// Text from records, from Bynder or from a person, shown inside Markdown that OCP renders (the
// settings form's `instructions`, https://docs.developers.optimizely.com/optimizely-connect-platform/docs/form-elements).
// Such text is hostile: a key like `[click](https://evil)` or `<img onerror=…>` must read as the
// characters it holds, never as a link, an image, HTML or a line break that starts a new block.

/**
 * The ASCII punctuation that means something inside a line of Markdown (CommonMark lets a backslash
 * escape any of it): emphasis, code, links and images, tables, strikethrough, and `:` and `.` so that
 * GFM does not turn a URL or a host into a link; braces too, which the form's interpolation reads.
 * What only means something at the start of a line (`#`, `-`, `>`, `1.`) cannot get there: the text
 * is kept on one line and always follows the app's own words.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()!|~:.]/g;
const HTML_SPECIAL: Readonly<Record<string, string>> = { '<': '&lt;', '&': '&amp;' };

/**
 * `text` as literal characters in Markdown, on one line: control characters and line breaks
 * become spaces, HTML's `<` and `&` become entities, and Markdown punctuation is backslash-escaped.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
      // After the backslashes, so the entities' own `;` stays as it is.
      .replace(/[<&]/g, (c) => HTML_SPECIAL[c] ?? c)
  );
}
