import * as z from 'zod';

/**
 * Finding codes (docs/report-rules.md). R1–R5 block submission, X1–X5/N1–N4/A1 are warnings; X0 says a report given
 * as last year's could not be compared; TEXT_EMPTY is a text part left empty; the SCHEMA_* codes are input that does
 * not fit the template at all. Codes are a contract with the form, the API and other tools.
 */
export const ERROR_CODES = [
  'R1',
  'R2',
  'R3',
  'R4',
  'R5',
  'SCHEMA_NOT_OBJECT',
  'SCHEMA_TEMPLATE_UNKNOWN',
  'SCHEMA_TEMPLATE_YEAR',
  'SCHEMA_AGENCY',
  'SCHEMA_YEAR',
  'SCHEMA_TYPE',
  'SCHEMA_NEGATIVE',
  'SCHEMA_NOT_INTEGER',
  'SCHEMA_DECIMAL',
  'SCHEMA_DECIMAL_SCALE',
  'SCHEMA_DECIMAL_TOO_LONG',
  'SCHEMA_UNIT',
  'SCHEMA_TEXT_REQUIRED',
  'TEXT_EMPTY',
  'SCHEMA_TEXT_TOO_LONG',
  'SCHEMA_UNKNOWN_FIELD',
] as const;

export const WARNING_CODES = ['X0', 'X1', 'X2', 'X3', 'X4', 'X5', 'N1', 'N2', 'N3', 'N4', 'A1'] as const;

export const FindingCodeSchema = z.enum([...ERROR_CODES, ...WARNING_CODES]);
export type FindingCode = z.infer<typeof FindingCodeSchema>;

export const FindingSchema = z.object({
  code: FindingCodeSchema,
  /** dotted path of the cell or field the officer has to look at; '' for the report as a whole */
  path: z.string(),
  rowLabel: z.string().optional(),
  columnLabel: z.string().optional(),
  expected: z.union([z.number(), z.string()]).optional(),
  actual: z.union([z.number(), z.string()]).optional(),
  message: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const CheckResultSchema = z.object({
  valid: z.boolean(),
  errors: z.array(FindingSchema),
  warnings: z.array(FindingSchema),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;
