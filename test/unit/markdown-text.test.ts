import { describe, expect, it } from 'vitest';

import { escapeMarkdown } from '../../src/lib/markdown-text';

/** The characters a character reference stands for, as Markdown and HTML show them. */
const shown = (text: string) =>
  text.replace(/&#(\d+);/g, (_ref, code: string) => String.fromCharCode(Number(code)));

describe('escapeMarkdown', () => {
  it('leaves no link, image, code, emphasis, table cell or HTML tag to render, and shows every character', () => {
    const text =
      '![x](https://evil.example/a.png) [y](javascript:alert(1)) `code` **b** _i_ | cell | ~~s~~ <img src=x onerror=alert(1)> &amp;';
    const escaped = escapeMarkdown(text);
    // No punctuation is left outside the character references themselves.
    expect(escaped.replace(/&#\d+;/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
    expect(escaped).toContain('&#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62;');
    expect(shown(escaped)).toBe(text);
  });

  it('keeps the text on one line, so it cannot start a heading, a list or a quote', () => {
    expect(shown(escapeMarkdown('a\n# h\r\n- item\u2028> q\u0000b'))).toBe('a # h - item > q b');
  });

  it('escapes the braces of the form interpolation and backslashes', () => {
    const escaped = escapeMarkdown('{{{connection.token}}} \\*');
    expect(escaped).not.toMatch(/[{}\\]/);
    expect(shown(escaped)).toBe('{{{connection.token}}} \\*');
  });
});
