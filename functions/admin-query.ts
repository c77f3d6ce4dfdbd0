import type { HttpRequest } from '../shared/http/request.js';
import { ValidationError } from '../shared/workflow/errors.js';

/** The report year of an administration query (`?year=2026`). */
export function adminYear(request: HttpRequest): number {
  const raw = request.query.get('year') ?? '';
  if (!/^\d{4}$/.test(raw)) throw new ValidationError('请指定年度，如 year=2026。', 'BAD_YEAR');
  return Number(raw);
}
