import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAndParseReport, checkReport, type CheckOptions } from '#shared/report/checks.js';
import { parseReport, ReportInvalidError, surelyFitsTemplate, templateSchema, type Report } from '#shared/report/schema.js';
import { checkSchema, checkSchemaThroughZod } from '#shared/report/schema-findings.js';
import { templateCells } from '#shared/report/cells.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { consistentReport } from '../../../support/report-arbitrary.js';
import { zeroReport } from '../../../support/report-builders.js';
import { draftReport, TEMPLATE_CASES } from './draft-arbitrary.js';
import { checkReportBefore, parseReportBefore, templateSchemaBefore } from './reference/checks-before.js';

/**
 * checkReport and parseReport no longer run the template schema on a report whose every field is well formed
 * (`surelyFitsTemplate` proves the schema would accept it), R1–R4 read precomputed paths, and checkAndParseReport does
 * both in one pass. Each must answer exactly as the code before did (reference/checks-before.ts), for consistent
 * reports, broken drafts and arbitrary JSON.
 */

type ParseOutcome = { readonly report: Report; readonly json: string } | { readonly issues: unknown };

function parseOutcome(parse: () => Report): ParseOutcome {
  try {
    const report = parse();
    // the JSON keeps the key order, which toStrictEqual does not compare
    return { report, json: JSON.stringify(report) };
  } catch (error) {
    if (error instanceof ReportInvalidError) return { issues: error.issues };
    throw error;
  }
}

function expectSameAsBefore(input: unknown, options: CheckOptions = {}): void {
  const before = checkReportBefore(input, options);
  expect(checkReport(input, options)).toStrictEqual(before);
  const combined = checkAndParseReport(input, options);
  expect(combined.result).toStrictEqual(before);

  const parsedBefore = parseOutcome(() => parseReportBefore(input));
  expect(parseOutcome(() => parseReport(input))).toStrictEqual(parsedBefore);
  if ('report' in parsedBefore) {
    expect(combined.report).toStrictEqual(parsedBefore.report);
    expect(JSON.stringify(combined.report)).toBe(parsedBefore.json);
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
const FIXTURES = [fixture('daxing-kw-2020.beijing-2019.json'), fixture('daxing-kw-2021.national-2021.json')];

describe('checkReport, checkAndParseReport and parseReport against the code before the fast paths', () => {
  it('answer as before for both fixtures, with and without the previous year', () => {
    for (const report of FIXTURES) {
      expectSameAsBefore(report);
      for (const previous of FIXTURES) expectSameAsBefore(report, { previous });
    }
  });

  describe.each(TEMPLATE_CASES)('%s', (_id, template, year) => {
    it('answer as before for every consistent report, and take the fast path for it', () => {
      fc.assert(
        fc.property(consistentReport(template, year), (report) => {
          expect(surelyFitsTemplate(template, report)).toBe(true);
          expectSameAsBefore(report);
        }),
        { numRuns: 150 },
      );
    }, 30_000);

    it('answer as before for broken drafts (cells null, gone or of the wrong sort, negative or fractional numbers, odd amounts and units, hostile text, unknown keys, inherited keys)', () => {
      fc.assert(
        fc.property(draftReport(template, year), fc.option(fc.constantFrom(...FIXTURES), { nil: undefined }), (draft, previous) => {
          expectSameAsBefore(draft, previous === undefined ? {} : { previous });
        }),
        { numRuns: 400 },
      );
    }, 60_000);

    it('never takes the fast path for input the schema refuses, and builds the schema it did before', () => {
      fc.assert(
        fc.property(draftReport(template, year), (draft) => {
          const before = templateSchemaBefore(template).safeParse(draft);
          const now = templateSchema(template).safeParse(draft);
          expect(now.success).toBe(before.success);
          expect(now.error?.issues).toStrictEqual(before.error?.issues);
          if (surelyFitsTemplate(template, draft)) expect(before.success).toBe(true);
          expect(checkSchema(template, draft)).toStrictEqual(checkSchemaThroughZod(template, draft));
        }),
        { numRuns: 800 },
      );
    }, 60_000);
  });

  it('answer as before for arbitrary JSON, and for a fixture with any part replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => expectSameAsBefore(input)),
      { numRuns: 300 },
    );
    const paths = ['template', 'year', 'agency', 'agency.name', 'overview', 'activeDisclosure', 'applications', 'applications.outcomes', 'reviewsAndLitigation'];
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.constantFrom(...paths), fc.jsonValue(), (base, path, value) => {
        const input = structuredClone(base) as Record<string, unknown>;
        const keys = path.split('.');
        const last = keys.pop() ?? '';
        let parent: unknown = input;
        for (const key of keys) parent = (parent as Record<string, unknown>)[key];
        (parent as Record<string, unknown>)[last] = value;
        expectSameAsBefore(input);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('answer as before, and take the fast path only where the schema agrees, at every edge of every leaf', () => {
    const bases: unknown[] = [
      ...FIXTURES,
      ...TEMPLATE_CASES.map(([, template, year]) => zeroReport(template, { id: 'blank-agency', name: '空白机关' }, year)),
    ];
    const long = (unit: string, count: number) => unit.repeat(count);
    const common: ReadonlyArray<readonly [string, readonly unknown[]]> = [
      ['unexpected', [1]],
      ['__proto__', [{}]],
      ['constructor', [1]],
      ['agency.unexpected', [1, undefined]],
      ['agency.name', ['', '  ', long('a', 100), long('a', 101), ` ${long('a', 100)} `, long('😀', 50), long('😀', 51), long('😀', 101), 7, undefined]],
      ['agency.id', ['a', 'ab', 'AB', '-ab', 'a-', long('a', 40), long('a', 41), 'ab\n', undefined]],
      ['year', [2018, 2019, 2020, 2021, 2022, 2100, 2101, 2020.5, -0, '2021', undefined]],
      ['template', ['national-2019', 'beijing-2019', 'national-2021', 'national-2020']],
      ...['preamble', 'overview', 'problems', 'otherMatters'].map(
        (field) => [field, [undefined, '', 123, long('x', 20_000), long('x', 20_001), long('😀', 10_000), long('😀', 10_001), long('😀', 20_001)]] as const,
      ),
    ];
    const decimals = ['0', '1', '1.1', '1.12', '1.123', '1.1234', '1.12345', '1.123456', '1.1234567', '1.12345678', '01', '1.', '.5', '-1', ' 1', 1, null, undefined];
    const counts = [-1, -0, 0, 0.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53) + 1, Number.NaN, '1', null, undefined];
    for (const base of bases) {
      const template = TEMPLATES[(base as { template: keyof typeof TEMPLATES }).template];
      const cells = templateCells(template);
      const cases: (readonly [string, readonly unknown[]])[] = [...common];
      for (const type of ['count', 'signedCount', 'money'] as const) {
        const cell = cells.find((candidate) => candidate.column.kind.type === type);
        if (cell) cases.push([cell.id, type === 'money' ? decimals : counts], [`${cell.path.slice(0, -1).join('.')}.unexpected`, [0]]);
        const kind = cell?.column.kind;
        if (cell && kind?.type === 'money' && kind.unitField !== undefined) {
          const unitPath = [...cell.path.slice(0, -1), kind.unitField].join('.');
          cases.push([unitPath, [...Object.keys(kind.units), '美元', '', undefined]]);
          // every amount under every unit, for the scale the unit allows
          for (const unit of Object.keys(kind.units)) {
            for (const amount of decimals) {
              const input = structuredClone(base) as Record<string, unknown>;
              setAt(input, unitPath, unit);
              setAt(input, cell.id, amount);
              expectSameAsBefore(input);
              if (surelyFitsTemplate(template, input)) expect(templateSchemaBefore(template).safeParse(input).success).toBe(true);
            }
          }
        }
      }
      for (const [path, values] of cases) {
        for (const value of values) {
          const input = structuredClone(base) as Record<string, unknown>;
          setAt(input, path, value);
          expectSameAsBefore(input);
          if (surelyFitsTemplate(template, input)) expect(templateSchemaBefore(template).safeParse(input).success).toBe(true);
        }
      }
    }
  }, 60_000);

  it('answer as before for objects whose keys are inherited or include __proto__, as JSON.parse makes it', () => {
    for (const report of FIXTURES) {
      expectSameAsBefore(Object.create(report as object));
      const withProto = JSON.parse(JSON.stringify(report).replace(/^\{/, '{"__proto__":{"x":1},'));
      expect(Object.hasOwn(withProto, '__proto__')).toBe(true);
      expectSameAsBefore(withProto);
      const nullProto = Object.assign(Object.create(null), report);
      expectSameAsBefore(nullProto);
      // an optional field that is not the report's own but inherited: zod reads it, so the shortcut must not skip it
      for (const preamble of [123, 'x'.repeat(20_001), '前言']) {
        const { preamble: _own, ...rest } = report as Record<string, unknown>;
        const inherited = Object.assign(Object.create({ preamble }), rest);
        expect(surelyFitsTemplate(TEMPLATES[(report as { template: keyof typeof TEMPLATES }).template], inherited)).toBe(false);
        expectSameAsBefore(inherited);
      }
    }
  });

  it('take the fast path for both fixtures and every template’s blank report', () => {
    for (const report of FIXTURES) {
      const template = TEMPLATES[(report as { template: keyof typeof TEMPLATES }).template];
      expect(surelyFitsTemplate(template, report)).toBe(true);
    }
    for (const [, template, year] of TEMPLATE_CASES) {
      expect(surelyFitsTemplate(template, zeroReport(template, { id: 'blank-agency', name: '空白机关' }, year))).toBe(true);
    }
  });
});
