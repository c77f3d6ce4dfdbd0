import { isOfficerOf, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { Draft } from './model.js';
import type { Clock, Store } from './ports.js';

/** The officer's server-side working copy: saved as they type, invalid content allowed, never silently overwritten. */

export interface DraftDeps {
  readonly store: Store;
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

/**
 * Saves a draft. `revision` is the one the browser last loaded (absent for a new draft); if someone saved in between,
 * the save is refused with the stored draft's revision so nothing typed elsewhere is lost.
 */
export async function saveDraft(
  agencyId: string,
  year: number,
  input: { content: unknown; revision?: number | undefined },
  principal: Principal,
  deps: DraftDeps,
): Promise<Draft> {
  requireOfficer(principal, agencyId);
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
