import fc from 'fast-check';
import { gridTables, templateCells } from '#shared/report/cells.js';
import type { Report } from '#shared/report/schema.js';
import type { Template } from '#shared/report/template-model.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { consistentReport } from '../../../support/report-arbitrary.js';

/**
 * Consistent reports and broken drafts of them, for the property tests of the checks and the renderer: every cell,
 * row, table and field can be replaced by a hostile value, removed, or joined by a key the template lacks.
 */

export const TEMPLATE_CASES: ReadonlyArray<readonly [string, Template, number]> = [
  ['national-2019', TEMPLATES['national-2019'], 2019],
  ['beijing-2019', TEMPLATES['beijing-2019'], 2020],
  ['national-2021', TEMPLATES['national-2021'], 2023],
];

/** Text an attacker or a careless paste might put anywhere a string goes. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<script>alert(1)</script>',
        '"><img src=x onerror=alert(1)>',
        "' onmouseover='alert(1)",
        '</td></tr></table></div><script>x</script>',
        '&amp;&lt;&gt;&quot;&#39;&',
        '<!--',
        ']]>',
        '\u0000\u0001\u0007\u000b\u000c\u001f\u007f\u0085\u009f',
        '\r\n\r\n\r',
        '\n\n',
        '\uD800',
        'x\uDC00',
        '\uFDD0\uFFFE\uFFFF',
        '\u{1FFFE}\u{10FFFF}',
        '😀',
        '\u2028\u2029',
        '\uE000\uE001',
        '\uE0000\uE001',
        '  ',
        '/',
        '—',
        '77.0693',
        '万元',
        '元',
      ),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

/** Values a cell, a unit, a year or a field might hold in a draft that does not fit its template. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    0,
    -0,
    -1,
    -5_000,
    1.5,
    0.1,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    true,
    false,
    {},
    [],
    [1],
    '0',
    '12',
    '-3',
    '1.5',
    '1.23',
    '1.234',
    '1.2345',
    '1.234567',
    '1.2345678',
    '0.1234567',
    '01',
    '1.',
    '.5',
    '1e3',
    ' 1',
    '',
    '元',
    '万元',
    '美元',
    2018,
    2019,
    2020,
    2021,
    2100,
    2101,
    2020.5,
    'x'.repeat(20_001),
    '😀'.repeat(10_001),
    '  ',
    ' a ',
    'a'.repeat(100),
    'a'.repeat(101),
    ` ${'a'.repeat(100)} `,
    '😀'.repeat(60),
    'national-2019',
    'beijing-2019',
    'national-2021',
    'prop-agency',
    'Bad Agency',
  ),
  hostileText,
  fc.integer({ min: -10_000, max: 10_000 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Decimal text around every scale a money cell allows (0 to 8 places), and text that only looks like a decimal. */
const decimalText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.nat(99_999), fc.integer({ min: 0, max: 8 }), fc.nat(9))
    .map(([whole, places, digit]) => (places === 0 ? String(whole) : `${whole}.${String(digit).repeat(places)}`)),
  fc.constantFrom('0', '0.0', '00', '01', '1.', '.5', '-1', '-0', '1e3', ' 1', '1 ', '1,000', '１２', '0x10', 'NaN'),
);

const countValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom<unknown>(-0, 0.5, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY, '1', '', null),
);

const FIELD_VALUES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  template: fc.constantFrom<unknown>('national-2019', 'beijing-2019', 'national-2021', 'national-2020', '', null),
  year: fc.constantFrom<unknown>(2018, 2019, 2020, 2021, 2022, 2023, 2100, 2101, 2020.5, '2021', -0, null),
  'agency.id': fc.constantFrom<unknown>('ab', 'a', 'a-b', '-ab', 'AB', 'a'.repeat(40), 'a'.repeat(41), 'ab_c', 'ab\n', ' ab', 12),
  'agency.name': fc.constantFrom<unknown>(
    '机关',
    '',
    '  ',
    '\t\n',
    ' a ',
    'a'.repeat(100),
    'a'.repeat(101),
    ` ${'a'.repeat(100)} `,
    '😀'.repeat(50),
    '😀'.repeat(60),
    '😀'.repeat(101),
    '<script>"&',
    7,
  ),
};

const textValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.constantFrom<unknown>(
    '',
    'x'.repeat(20_000),
    'x'.repeat(20_001),
    '😀'.repeat(10_000),
    '😀'.repeat(10_001),
    '😀'.repeat(20_001),
    0,
    null,
  ),
);

/** A cell, unit, field or structural place of a draft, and what might be put there. */
export function draftChanges(template: Template): fc.Arbitrary<{ path: string; value: unknown }> {
  const cells = templateCells(template);
  const units = new Map<string, string[]>();
  const unknownKeys = new Set<string>(['unexpected', 'agency.unexpected', '__proto__', 'constructor', 'toString']);
  const structure = new Set<string>(['agency']);
  for (const table of gridTables(template)) {
    structure.add(table.path.join('.'));
    structure.add(table.path.slice(0, 1).join('.'));
    unknownKeys.add([...table.path, 'unexpected'].join('.'));
  }
  for (const cell of cells) {
    const row = cell.path.slice(0, -1);
    structure.add(row.join('.'));
    unknownKeys.add([...row, 'unexpected'].join('.'));
    const kind = cell.column.kind;
    if (kind.type === 'money' && kind.unitField !== undefined) units.set([...row, kind.unitField].join('.'), Object.keys(kind.units));
  }
  const at = (paths: readonly string[], value: (path: string) => fc.Arbitrary<unknown>) =>
    fc.constantFrom(...paths).chain((path) => value(path).map((v) => ({ path, value: v })));
  const ofKind = (type: string) => cells.filter((cell) => cell.column.kind.type === type).map((cell) => cell.id);
  const unitValues = (path: string) => fc.constantFrom<unknown>(...(units.get(path) ?? []), '美元', '', ' 元', 1, null);
  const weighted = (weight: number, paths: readonly string[], value: (path: string) => fc.Arbitrary<unknown>) =>
    paths.length === 0 ? [] : [{ weight, arbitrary: at(paths, value) }];
  return fc.oneof(
    ...weighted(2, ofKind('count'), () => fc.oneof(countValue, hostileValue)),
    ...weighted(2, ofKind('signedCount'), () => fc.oneof(countValue, hostileValue)),
    ...weighted(3, ofKind('money'), () => fc.oneof(decimalText, hostileValue)),
    ...weighted(2, [...units.keys()], (path) => fc.oneof(unitValues(path), hostileValue)),
    ...weighted(4, Object.keys(FIELD_VALUES), (path) =>
      fc.oneof({ weight: 3, arbitrary: FIELD_VALUES[path] ?? hostileValue }, { weight: 1, arbitrary: hostileValue }),
    ),
    ...weighted(2, ['preamble', 'overview', 'problems', 'otherMatters'], () => fc.oneof(textValue, hostileValue)),
    ...weighted(2, [...unknownKeys], () => hostileValue),
    ...weighted(1, [...structure], () => hostileValue),
  );
}

export type Mutation =
  | { readonly path: string; readonly kind: 'set'; readonly value: unknown }
  | { readonly path: string; readonly kind: 'delete' }
  /** the object at the path replaced by one that inherits all its keys (zod reads inherited keys, `readPath` does not) */
  | { readonly path: string; readonly kind: 'inherit' };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Applies a mutation in place; one whose parent is not an object is skipped, as an officer could not make it either. */
function apply(target: Record<string, unknown>, mutation: Mutation): void {
  const keys = mutation.path.split('.');
  const last = keys.pop() ?? '';
  let parent: unknown = target;
  for (const key of keys) {
    if (!isObject(parent) || !Object.hasOwn(parent, key)) return;
    parent = parent[key];
  }
  if (!isObject(parent) || Array.isArray(parent)) return;
  if (mutation.kind === 'delete') Reflect.deleteProperty(parent, last);
  // defineProperty, so that "__proto__" becomes an own key as JSON.parse makes it, not the prototype
  else if (mutation.kind === 'set')
    Object.defineProperty(parent, last, { value: mutation.value, enumerable: true, writable: true, configurable: true });
  else if (Object.hasOwn(parent, last) && isObject(parent[last])) parent[last] = Object.create(parent[last]);
}

export function mutations(template: Template): fc.Arbitrary<Mutation[]> {
  const change = draftChanges(template);
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: change.map(({ path, value }) => ({ path, kind: 'set' as const, value })) },
      { weight: 2, arbitrary: change.map(({ path }) => ({ path, kind: 'delete' as const })) },
      { weight: 1, arbitrary: change.map(({ path }) => ({ path, kind: 'inherit' as const })) },
    ),
    { maxLength: 4 },
  );
}

/** A draft: a consistent report with up to four things broken (none, a quarter of the time or so). */
export function draftReport(template: Template, year: number): fc.Arbitrary<unknown> {
  return fc.tuple(consistentReport(template, year), mutations(template), fc.boolean()).map(([report, changes, inheritAll]) => {
    const draft: Record<string, unknown> = structuredClone(report) as Report & Record<string, unknown>;
    for (const change of changes) apply(draft, change);
    // now and then the whole report inherits its keys too
    return inheritAll && changes.length === 1 ? Object.create(draft) : draft;
  });
}
