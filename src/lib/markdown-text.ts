// Text from records, from Bynder or from a person, shown inside Markdown that OCP renders (the
// settings form's `instructions`, https://docs.developers.optimizely.com/optimizely-connect-platform/docs/form-elements).
// Such text is hostile: a key like `[click](https://evil)` or `<img onerror=…>` must read as the
// characters it holds, never as a link, an image, HTML or a line break that starts a new block.

/**
 * `text` as literal characters in Markdown and in HTML alike, on one line: control characters and
 * line breaks become spaces, and every ASCII punctuation character (Markdown's syntax, HTML's, the
 * braces the form's interpolation reads) is written as a decimal character reference (`<` as
 * `&#60;`, `*` as `&#42;`). CommonMark shows a character reference as its character and never reads
 * it as syntax (https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references), and
 * HTML does the same; a backslash escape, by contrast, would show as a backslash wherever the text
 * is rendered as HTML without Markdown. What only means something at the start of a line (`#`, `-`,
 * `>`) cannot get there: the text is kept on one line and always follows the app's own words.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[!-/:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`);
}
