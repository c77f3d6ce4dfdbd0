import { isOfficerOf, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import type { Draft } from './model.js';
import type { Clock, DraftStore } from './ports.js';

/** The officer's server-side working copy: saved as they type, invalid content allowed, never silently overwritten. */

export interface DraftDeps {
  readonly store: DraftStore;
  readonly clock: Clock;
}

function requireOfficer(principal: Principal, agencyId: string): void {
  // another agency's draft does not exist as far as this caller can tell
  if (!isOfficerOf(principal, agencyId)) throw new NotFoundError('找不到该草稿。');
}

export async function getDraft(agencyId: string, year: number, principal: Principal, deps: DraftDeps): Promise<Draft> {
  requireOfficer(principal, agencyId);
  const draft = await deps.store.getDraft(agencyId, year);
  if (!draft) throw new NotFoundError('该年度还没有草稿。');
  return draft;
}

/** DynamoDB nests maps and lists 32 levels deep at most; the draft item holds the content one level down. */
export const MAX_DRAFT_DEPTH = 30;
/** DynamoDB's item limit is 400 KB; what the content would take of it (its own size rules), with room for the rest */
export const MAX_DRAFT_ITEM_BYTES = 380_000;
/** the smallest magnitude DynamoDB stores (1E-130); above Number.MAX_SAFE_INTEGER the document client refuses */
const MIN_MAGNITUDE = 1e-130;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Keys the DynamoDB document client cannot marshal as written: `__proto__` becomes an empty attribute, and an own
 * `constructor` replaces the one the client asks an object for to tell maps from sets, numbers and strings (so
 * `{"constructor": 1}` fails and `{"constructor": {"name": "String"}}` would be stored as "[object Object]").
 */
const UNSTORABLE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

/**
 * Why the table could not hold this content, or undefined when it can. Any JSON is a valid draft, but not every JSON
 * value fits an item: deeper than DynamoDB nests, numbers out of its range, a key the document client cannot
 * marshal (below), or more than an item holds. Walked without recursion: a 256 KiB body can
 * nest a hundred thousand levels deep.
 */
export function draftStorageProblem(content: unknown): { code: string; message: string } | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: content, depth: 0 }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'string') bytes += utf8Bytes(value) + 1;
    else if (typeof value === 'number') {
      const magnitude = Math.abs(value);
      if (!Number.isFinite(value) || magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
        return { code: 'DRAFT_NUMBER_OUT_OF_RANGE', message: `草稿中的数字 ${String(value)} 超出了可保存的范围，请改为正常的数值。` };
      }
      bytes +=
        Math.ceil(
          String(magnitude)
            .replace(/e.*$|\./g, '')
            .replace(/^0+/, '').length / 2,
        ) + 1;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_DRAFT_DEPTH) return { code: 'DRAFT_TOO_DEEP', message: `草稿内容的嵌套超过 ${MAX_DRAFT_DEPTH} 层，无法保存。` };
      bytes += 3;
      const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
      for (const [key, item] of entries) {
        if (UNSTORABLE_KEYS.has(key)) return { code: 'DRAFT_BAD_FIELD', message: `草稿中含有不能保存的字段名 ${key}。` };
        bytes += utf8Bytes(key) + 1;
        stack.push({ value: item, depth: depth + 1 });
      }
    } else bytes += 1;
    if (bytes > MAX_DRAFT_ITEM_BYTES) return { code: 'DRAFT_TOO_LARGE', message: '草稿内容太大，无法保存。' };
  }
  return undefined;
}

/**
 * Saves a draft. `revision` is the one the browser last loaded (absent for a new draft); if someone saved in between,
 * the save is refused with the stored draft's revision so nothing typed elsewhere is lost. Content the table cannot
 * hold is refused (400) before it is written.
 */
export async function saveDraft(
  agencyId: string,
  year: number,
  input: { content: unknown; revision?: number | undefined },
  principal: Principal,
  deps: DraftDeps,
): Promise<Draft> {
  requireOfficer(principal, agencyId);
  const problem = draftStorageProblem(input.content);
  if (problem) throw new ValidationError(problem.message, problem.code);
  const draft: Draft = {
    agencyId,
    year,
    content: input.content,
    revision: (input.revision ?? 0) + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: principal.email,
  };
  try {
    await deps.store.saveDraft(draft, input.revision);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const current = await deps.store.getDraft(agencyId, year);
    throw new ConflictError('草稿已在别处更新，请刷新后再编辑，以免覆盖。', 'DRAFT_CONFLICT', {
      revision: current?.revision,
      updatedAt: current?.updatedAt,
      updatedBy: current?.updatedBy,
    });
  }
  return draft;
}
