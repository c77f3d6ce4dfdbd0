import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blankReport } from '#shared/report/blank.js';
import { templateCells } from '#shared/report/cells.js';
import { ReportEnvelopeSchema, type Agency, type Report } from '#shared/report/schema.js';
import type { Template } from '#shared/report/template-model.js';

/** Small named builders over the fixtures, so each test says only what it changes. */

const fixture = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8'));

/** The reference report (北京市大兴区科学技术委员会 2020, beijing-2019), as transcribed. */
export const referenceReport = (): Record<string, unknown> => asRecord(fixture('daxing-kw-2020.beijing-2019.json'));
/** A 2021-format report with non-zero numbers in every table; consistent with referenceReport as its previous year. */
export const report2021 = (): Record<string, unknown> => asRecord(fixture('daxing-kw-2021.national-2021.json'));

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('fixture is not an object');
  return Object.fromEntries(Object.entries(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy with the value at a dotted path replaced (`undefined` removes the key). */
export function withValue<T>(report: T, path: string, value: unknown): T {
  const copy: T = structuredClone(report);
  setInPlace(copy, path, value);
  return copy;
}

/** Replaces the value at a dotted path of `target` itself, creating objects on the way. */
export function setInPlace(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) {
    if (!isRecord(node)) throw new Error(`no object at ${key} of ${path}`);
    if (!isRecord(node[key])) node[key] = {};
    node = node[key];
  }
  const last = keys.at(-1) ?? '';
  if (!isRecord(node)) throw new Error(`no object at ${path}`);
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Reads a number at a dotted path of a fixture, failing loudly if there is none. */
export function numberAt(report: unknown, path: string): number {
  let node: unknown = report;
  for (const key of path.split('.')) node = isRecord(node) ? node[key] : undefined;
  if (typeof node !== 'number') throw new Error(`no number at ${path}`);
  return node;
}

/** Adds `delta` to the number at each path. */
export function adjust<T>(report: T, changes: Readonly<Record<string, number>>): T {
  let result = report;
  for (const [path, delta] of Object.entries(changes)) result = withValue(result, path, numberAt(result, path) + delta);
  return result;
}

/**
 * A report of the template's shape with every cell 0 (money "0") and every text empty: the smallest report that fits
 * the schema, for tests that fill in what they look at. Not a valid report: the texts are still to write.
 */
export function zeroReport(template: Template, agency: Agency, year: number): Report {
  const report = blankReport(template, agency, year);
  for (const cell of templateCells(template)) setInPlace(report, cell.id, cell.column.kind.type === 'money' ? '0' : 0);
  return ReportEnvelopeSchema.parse(report);
}
