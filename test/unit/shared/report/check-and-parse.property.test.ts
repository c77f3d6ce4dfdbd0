import { propertyRuns } from '../../../support/property-runs.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templateCells } from '#shared/report/cells.js';
import { checkAndParseReport, checkReport, type CheckOptions } from '#shared/report/checks.js';
import { parseReport, ReportInvalidError, templateSchema, type Report } from '#shared/report/schema.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { consistentReport } from '../../../support/report-arbitrary.js';
import { zeroReport } from '../../../support/report-builders.js';
import { draftReport, TEMPLATE_CASES } from './draft-arbitrary.js';

/**
 * checkAndParseReport is checkReport and parseReport in one pass over the template schema: it must answer as the two
 * calls do, for consistent reports, broken drafts and arbitrary JSON; and the schema itself accepts and refuses at
 * the edges of every kind of field as the report model says.
 */

type ParseOutcome = { readonly report: Report; readonly json: string } | { readonly refused: true };

function parseOutcome(input: unknown): ParseOutcome {
  try {
    const report = parseReport(input);
    // the JSON keeps the key order, which toStrictEqual does not compare
    return { report, json: JSON.stringify(report) };
  } catch (error) {
    if (error instanceof ReportInvalidError) return { refused: true };
    throw error;
  }
}

function expectSameAsTwoCalls(input: unknown, options: CheckOptions = {}): void {
  const combined = checkAndParseReport(input, options);
  expect(combined.result).toStrictEqual(checkReport(input, options));
  const parsed = parseOutcome(input);
  if ('report' in parsed) {
    expect(combined.report).toStrictEqual(parsed.report);
    expect(JSON.stringify(combined.report)).toBe(parsed.json);
  } else {
    expect(combined).not.toHaveProperty('report');
  }
}

/** Sets (or, for undefined, removes) the value at a dotted path, as an own key even where the key is "__proto__". */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let parent: unknown = target;
  for (const key of keys) parent = (parent as Record<string, unknown>)[key];
  if (value === undefined) Reflect.deleteProperty(parent as object, last);
  else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
}

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8'));
const REFERENCE = fixture('daxing-kw-2020.beijing-2019.json');
const FIXTURES = [REFERENCE, fixture('daxing-kw-2021.national-2021.json')];

describe('checkAndParseReport answers as checkReport and parseReport do', () => {
  it('for both fixtures, with and without the previous year', () => {
    for (const report of FIXTURES) {
      expectSameAsTwoCalls(report);
      for (const previous of FIXTURES) expectSameAsTwoCalls(report, { previous });
    }
  });

  describe.each(TEMPLATE_CASES)('%s', (_id, template, year) => {
    it('for every consistent report, which it accepts as it stands', () => {
      fc.assert(
        fc.property(consistentReport(template, year), (report) => {
          const { result, report: parsed } = checkAndParseReport(report);
          expect(result.errors).toEqual([]);
          expect(parsed).toStrictEqual(report);
          expectSameAsTwoCalls(report);
        }),
        { numRuns: propertyRuns(60) },
      );
    });

    it('for broken drafts (cells null, gone or of the wrong sort, odd amounts and units, hostile text, unknown and inherited keys)', () => {
      fc.assert(
        fc.property(draftReport(template, year), fc.option(fc.constantFrom(...FIXTURES), { nil: undefined }), (draft, previous) => {
          expectSameAsTwoCalls(draft, previous === undefined ? {} : { previous });
          // a draft the template schema refuses is never parsed, and always has an error that says why
          if (!templateSchema(template).safeParse(draft).success) {
            expect(checkReport(draft).valid).toBe(false);
            expect(parseOutcome(draft)).toStrictEqual({ refused: true });
          }
        }),
        { numRuns: propertyRuns(150) },
      );
    });
  });

  it('for arbitrary JSON, and for a fixture with any part replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => expectSameAsTwoCalls(input)),
      { numRuns: propertyRuns(150) },
    );
    const paths = [
      ...['template', 'year', 'agency', 'agency.name', 'title', 'overview'],
      ...['activeDisclosure', 'applications', 'applications.outcomes', 'reviewsAndLitigation'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.constantFrom(...paths), fc.jsonValue(), (base, path, value) => {
        const input = structuredClone(base) as Record<string, unknown>;
        setAt(input, path, value);
        expectSameAsTwoCalls(input);
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it('for objects whose keys are inherited or include __proto__, as JSON.parse makes it', () => {
    for (const report of FIXTURES) {
      expectSameAsTwoCalls(Object.create(report as object));
      const withProto = JSON.parse(JSON.stringify(report).replace(/^\{/, '{"__proto__":{"x":1},'));
      expect(Object.hasOwn(withProto, '__proto__')).toBe(true);
      expectSameAsTwoCalls(withProto);
      expectSameAsTwoCalls(Object.assign(Object.create(null), report));
      for (const preamble of [123, 'x'.repeat(20_001), '前言']) {
        const { preamble: _own, ...rest } = report as Record<string, unknown>;
        expectSameAsTwoCalls(Object.assign(Object.create({ preamble }), rest));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The schema at the edges of each kind of field: `null` in the table means the value is accepted, a code that it is
// refused with a finding of that code at that path.

type Edge = readonly [value: unknown, code: string | null];

const long = (unit: string, count: number) => unit.repeat(count);

const COMMON: ReadonlyArray<readonly [string, readonly Edge[]]> = [
  ['unexpected', [[1, 'SCHEMA_UNKNOWN_FIELD']]],
  ['agency.unexpected', [[1, 'SCHEMA_UNKNOWN_FIELD']]],
  [
    'agency.name',
    [
      ...([
        [long('a', 100), null],
        [` ${long('a', 100)} `, null],
      ] as const),
      ...['', '  ', long('a', 101), 7, undefined].map((value) => [value, 'SCHEMA_AGENCY'] as const),
    ],
  ],
  [
    'agency.id',
    [
      ...([
        [`ab`, null],
        [long('a', 40), null],
      ] as const),
      ...['a', 'AB', '-ab', long('a', 41), 'ab\n'].map((value) => [value, 'SCHEMA_AGENCY'] as const),
    ],
  ],
  ['year', [2018, 2101, 2020.5, '2021', undefined].map((value) => [value, 'SCHEMA_YEAR'] as const)],
  [
    'title',
    [
      [undefined, null],
      [{ format: 'year-name' }, null],
      [{ format: 'name-year-annual', lines: 2 }, null],
      [{ format: 'name-year', lines: 3 }, 'SCHEMA_TYPE'],
      [{ format: 'other' }, 'SCHEMA_TYPE'],
      ['2020年报告', 'SCHEMA_TYPE'],
      [{ format: 'year-name', size: 1 }, 'SCHEMA_UNKNOWN_FIELD'],
    ],
  ],
  ...['overview', 'problems', 'otherMatters'].map(
    (field) =>
      [
        field,
        [
          ['', 'TEXT_EMPTY'],
          ['无。', null],
          [long('x', 20_000), null],
          [long('x', 20_001), 'SCHEMA_TEXT_TOO_LONG'],
          [123, 'SCHEMA_TYPE'],
          [undefined, 'SCHEMA_TEXT_REQUIRED'],
        ],
      ] as const,
  ),
  [
    'preamble',
    [
      [undefined, null],
      [long('x', 20_000), null],
      [long('x', 20_001), 'SCHEMA_TEXT_TOO_LONG'],
      [123, 'SCHEMA_TYPE'],
    ],
  ],
];

const COUNT_EDGES: readonly Edge[] = [
  ...([
    [0, null],
    [2 ** 53 - 1, null],
    [-1, 'SCHEMA_NEGATIVE'],
    [0.5, 'SCHEMA_NOT_INTEGER'],
    [2 ** 53, 'SCHEMA_TYPE'],
  ] as const),
  ...([
    ['1', 'SCHEMA_TYPE'],
    [null, 'R5'],
    [undefined, 'R5'],
    ['/', 'R5'],
  ] as const),
];
const SIGNED_EDGES: readonly Edge[] = [
  [-(2 ** 53) + 1, null],
  [-1, null],
  [0, null],
  [0.5, 'SCHEMA_NOT_INTEGER'],
  ['-1', 'SCHEMA_TYPE'],
  [null, 'R5'],
];
const MONEY_SHAPES: readonly Edge[] = [
  ...([
    ['0', null],
    ['1.1', null],
    [1, 'SCHEMA_TYPE'],
    [null, 'R5'],
  ] as const),
  // at most 15 digits before the point
  ...([
    ['999999999999999', null],
    ['1000000000000000', 'SCHEMA_DECIMAL_TOO_LONG'],
  ] as const),
  ...['01', '1.', '.5', '-1', ' 1'].map((value) => [value, 'SCHEMA_DECIMAL'] as const),
];

function expectEdge(base: unknown, path: string, [value, code]: Edge): void {
  const input = structuredClone(base) as Record<string, unknown>;
  setAt(input, path, value);
  const { errors } = checkReport(input);
  const where = `${path} = ${JSON.stringify(value)}`;
  if (code === null) {
    // an accepted value may still break a sum (R1–R4), which is no schema matter
    expect(
      errors.filter((finding) => !['R1', 'R2', 'R3', 'R4'].includes(finding.code)),
      where,
    ).toEqual([]);
    expect(parseOutcome(input), where).toHaveProperty('report');
  } else {
    expect(
      errors.map((finding) => finding.code),
      where,
    ).toContain(code);
    // the schema refuses what does not fit the template; an empty text part fits it and is refused at submission
    if (code !== 'TEXT_EMPTY') expect(parseOutcome(input), where).toStrictEqual({ refused: true });
  }
  expectSameAsTwoCalls(input);
}

describe('the template schema at the edges of every kind of field', () => {
  const bases: unknown[] = [
    ...FIXTURES,
    ...TEMPLATE_CASES.map(([, template, year]) => {
      const blank = structuredClone(zeroReport(template, { id: 'blank-agency', name: '空白机关' }, year)) as Record<string, unknown>;
      // blank cells are findings of their own (R5); the edges are tried one at a time on a report without any
      for (const cell of templateCells(template)) {
        if (cell.column.kind.type !== 'money') setAt(blank, cell.id, 0);
      }
      return { ...blank, overview: '总体情况。', problems: '问题。', otherMatters: '无。' };
    }),
  ];

  it.each(bases.map((base) => [(base as { template: string }).template, (base as { year: number }).year, base] as const))(
    '%s %i',
    (_id, _year, base) => {
      const template = TEMPLATES[(base as { template: keyof typeof TEMPLATES }).template];
      const cells = templateCells(template);
      const valid = structuredClone(base) as Record<string, unknown>;
      for (const cell of cells) {
        const kind = cell.column.kind;
        if (kind.type !== 'money') continue;
        setAt(valid, cell.id, '0');
        if (kind.unitField !== undefined) setAt(valid, [...cell.path.slice(0, -1), kind.unitField].join('.'), Object.keys(kind.units)[0]);
      }
      expect(checkReport(valid).errors).toEqual([]);
      for (const [path, edges] of COMMON) for (const edge of edges) expectEdge(valid, path, edge);
      // every column of every table, at its first row: the rows of a column share its kind, so its schema
      const columns = new Map(cells.map((cell) => [`${cell.table.id}:${cell.column.keys.join('.')}`, cell] as const).reverse());
      for (const cell of columns.values()) {
        const kind = cell.column.kind;
        if (kind.type === 'count') for (const edge of COUNT_EDGES) expectEdge(valid, cell.id, edge);
        if (kind.type === 'signedCount') for (const edge of SIGNED_EDGES) expectEdge(valid, cell.id, edge);
        if (kind.type !== 'money') continue;
        for (const edge of MONEY_SHAPES) expectEdge(valid, cell.id, edge);
        const unitPath = kind.unitField === undefined ? undefined : [...cell.path.slice(0, -1), kind.unitField].join('.');
        if (unitPath !== undefined) expectEdge(valid, unitPath, ['美元', 'SCHEMA_UNIT']);
        // every unit's scale, at its exact limit and one place past it
        for (const [unit, scale] of Object.entries(kind.units)) {
          const withUnit = structuredClone(valid);
          if (unitPath !== undefined) setAt(withUnit, unitPath, unit);
          expectEdge(withUnit, cell.id, [scale === 0 ? '1' : `1.${'1'.repeat(scale)}`, null]);
          expectEdge(withUnit, cell.id, [`1.${'1'.repeat(scale + 1)}`, 'SCHEMA_DECIMAL_SCALE']);
        }
      }
    },
    60_000,
  );
});
