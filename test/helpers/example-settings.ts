// examples/settings.yml shows optional settings as commented lines (`  # key: value  # note`); a
// user uncomments the ones they want. This turns every such line on, to check they all are valid.

export function uncommentSettingLines(text: string): { text: string; count: number } {
  let count = 0;
  const uncommented = text.replace(/^(\s+)# ([a-z_]+: \S)/gm, (_line, indent: string, setting: string) => {
    count += 1;
    return `${indent}${setting}`;
  });
  return { text: uncommented, count };
}
