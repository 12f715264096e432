import { describe, expect, it } from 'vitest';

import { escapeMarkdown } from '../../src/lib/markdown-text';

describe('escapeMarkdown', () => {
  it('leaves no link, image, code, emphasis, table cell or HTML tag to render', () => {
    const text = '![x](https://evil.example/a.png) [y](javascript:alert(1)) `code` **b** _i_ | cell | ~~s~~';
    expect(escapeMarkdown(text)).toBe(
      '\\!\\[x\\]\\(https\\://evil\\.example/a\\.png\\) \\[y\\]\\(javascript\\:alert\\(1\\)\\) \\`code\\` \\*\\*b\\*\\* \\_i\\_ \\| cell \\| \\~\\~s\\~\\~',
    );
    expect(escapeMarkdown('<img src=x onerror=alert(1)> &amp;')).toBe(
      '&lt;img src=x onerror=alert\\(1\\)> &amp;amp;',
    );
  });

  it('keeps the text on one line, so it cannot start a heading, a list or a quote', () => {
    expect(escapeMarkdown('a\n# h\r\n- item\u2028> q\u0000b')).toBe('a # h - item > q b');
  });

  it('escapes the braces of the form interpolation and its own backslashes', () => {
    expect(escapeMarkdown('{{{connection.token}}} \\*')).toBe('\\{\\{\\{connection\\.token\\}\\}\\} \\\\\\*');
  });
});
