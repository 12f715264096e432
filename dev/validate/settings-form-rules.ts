import { readFileSync } from 'node:fs';

import { parse } from 'yaml';

// The shape of forms/settings.yml that the forms package checks (contract 6.4, 5.10), as far as
// this app's form uses it: `sections` only at the top; each section needs key, label and
// elements; an input element needs type, key, label and help; `instructions` needs only a type;
// a button also needs an action. Messages: "Invalid forms/settings.yml: <path> <problem>".

const NON_INPUT_TYPES = ['instructions', 'divider'];
const SECTION_KEYS = ['key', 'label', 'elements', 'properties', 'visible', 'disabled'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const missing = (where: string, property: string) =>
  `${where ? `${where} ` : ''}must have required property '${property}'`;

function elementProblems(element: unknown, where: string): string[] {
  if (!isObject(element)) return [`${where} must be object`];
  if (typeof element.type !== 'string') return [missing(where, 'type')];
  if (NON_INPUT_TYPES.includes(element.type)) return [];
  const required = element.type === 'button' ? ['key', 'label', 'help', 'action'] : ['key', 'label', 'help'];
  return required.filter((property) => !(property in element)).map((property) => missing(where, property));
}

function sectionProblems(section: unknown, where: string): string[] {
  if (!isObject(section)) return [`${where} must be object`];
  const problems = ['key', 'label', 'elements']
    .filter((property) => !(property in section))
    .map((property) => missing(where, property));
  const unknown = Object.keys(section).filter((key) => !SECTION_KEYS.includes(key));
  if (unknown.length > 0) {
    problems.push(`${where} must NOT have additional properties (${unknown.join(', ')})`);
  }
  if ('elements' in section) {
    if (!Array.isArray(section.elements)) problems.push(`${where}.elements must be array`);
    else {
      section.elements.forEach((element, j) =>
        problems.push(...elementProblems(element, `${where}.elements[${j}]`)),
      );
    }
  }
  return problems;
}

export function validateSettingsForm(file: string): string[] {
  let form: unknown;
  try {
    form = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return [`Invalid forms/settings.yml: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  if (!isObject(form)) {
    problems.push('must be object');
  } else {
    if (!('sections' in form)) problems.push(missing('', 'sections'));
    if (Object.keys(form).some((key) => key !== 'sections')) {
      problems.push('must NOT have additional properties');
    }
    if ('sections' in form) {
      if (!Array.isArray(form.sections)) problems.push('sections must be array');
      else {
        form.sections.forEach((section, i) => problems.push(...sectionProblems(section, `sections[${i}]`)));
      }
    }
  }
  return problems.map((problem) => `Invalid forms/settings.yml: ${problem}`);
}
