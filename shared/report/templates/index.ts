import * as z from 'zod';
import type { Template, TemplateId } from '../template-model.js';
import { BEIJING_2019, NATIONAL_2019 } from './format-2019.js';
import { NATIONAL_2021 } from './national-2021.js';

export const TEMPLATES: Readonly<Record<TemplateId, Template>> = {
  'national-2019': NATIONAL_2019,
  'beijing-2019': BEIJING_2019,
  'national-2021': NATIONAL_2021,
};

export const TemplateIdSchema = z.enum(['national-2019', 'beijing-2019', 'national-2021']);

export function findTemplate(id: unknown): Template | undefined {
  const parsed = TemplateIdSchema.safeParse(id);
  return parsed.success ? TEMPLATES[parsed.data] : undefined;
}

export function templateFitsYear(template: Template, year: number): boolean {
  return year >= template.years.from && (template.years.to === undefined || year <= template.years.to);
}

/** The national template for a report year (the form's default). */
export function defaultTemplateForYear(year: number): Template {
  return year >= NATIONAL_2021.years.from ? NATIONAL_2021 : NATIONAL_2019;
}
