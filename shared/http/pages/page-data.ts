import { hasRole, isOfficerOf, type Principal } from '../../auth/principal.js';
import { DEFAULT_CHAIN } from '../../workflow/review-chain.js';
import { readPath } from '../../report/cells.js';
import { prefillReport, templateChoice, type DraftReport } from '../../report/prefill.js';
import { FIRST_YEAR } from '../../report/schema.js';
import type { Template } from '../../report/template-model.js';
import { findTemplate, templateFitsYear } from '../../report/templates/index.js';
import { reportIdOf } from '../../workflow/contracts.js';
import { NotFoundError } from '../../workflow/errors.js';
import { DecisionSchema, type Agency, type Draft, type ReportHead } from '../../workflow/model.js';
import type { Clock, Store } from '../../workflow/ports.js';
import { previousYearReport } from '../../workflow/previous-year.js';
import { getReport, listReports } from '../../workflow/report-queries.js';
import type { FormPageProps } from './form-page.js';
import { editPagePath, reportPagePath } from './form-model.js';
import type { HomeView } from './home-page.js';
import { beijingTime, beijingYear } from './names.js';
import { beijingDate } from '../../workflow/deadline.js';
import { deputisedBy, mayDelegate, myDelegation } from '../../workflow/delegation.js';

/** What the signed-in pages read from the store, gathered for the page functions (which only render). */

export interface PageDeps {
  readonly store: Store;
  readonly clock: Clock;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A year's report is under way (or done) unless there is none or it was withdrawn. */
const startable = (head: ReportHead | undefined): boolean => head === undefined || head.status === 'withdrawn';

export async function loadHomeView(principal: Principal, deps: PageDeps): Promise<HomeView> {
  const [reports, agency, mine, deputising] = await Promise.all([
    listReports(principal, {}, deps),
    deps.store.getAgency(principal.agencyId),
    myDelegation(principal, deps),
    deputisedBy(principal.email, principal.agencyId, deps),
  ]);
  const chain = agency?.chain ?? DEFAULT_CHAIN;
  // a deputy's 待办 holds the steps of the people they act for too
  const delegators = (await Promise.all(deputising.map((delegation) => deps.store.getRosterEntry(delegation.delegator)))).flatMap(
    (entry) => (entry ? [entry] : []),
  );
  const roles = new Set([
    ...principal.roles,
    ...delegators.filter((entry) => entry.agencyId === principal.agencyId).flatMap((entry) => entry.roles),
  ]);
  const decides = chain.steps.filter((step) => roles.has(step.role)).map((step) => ({ id: step.id, kind: step.kind }));
  const delegation = { allowed: mayDelegate(principal), mine, today: beijingDate(deps.clock.now()) };
  if (!hasRole(principal, 'officer'))
    return { reports, drafts: [], startYears: [], suggestedYear: undefined, agencyName: agency?.name, decides, delegation, deputising };
  const current = beijingYear(deps.clock.now());
  const years = Array.from({ length: Math.max(0, current - FIRST_YEAR + 1) }, (_, index) => current - index);
  const heads = new Map(reports.filter((head) => head.agencyId === principal.agencyId).map((head) => [head.year, head]));
  const open = years.filter((year) => !heads.has(year));
  const drafts = (await Promise.all(open.map((year) => deps.store.getDraft(principal.agencyId, year)))).filter(
    (draft): draft is Draft => draft !== undefined,
  );
  const startYears = years.filter((year) => startable(heads.get(year)) && !drafts.some((draft) => draft.year === year));
  return {
    reports,
    drafts: drafts.map((draft) => ({ year: draft.year, updatedAt: draft.updatedAt, updatedBy: draft.updatedBy })),
    startYears,
    suggestedYear: startYears.includes(current - 1) ? current - 1 : startYears[0],
    agencyName: agency?.name,
    decides,
    delegation,
    deputising,
  };
}

export type FormPageData =
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'page'; readonly props: FormPageProps };

/** The template a report already has, if it is one that fits the year. */
function templateOf(content: unknown, year: number): Template | undefined {
  const template = findTemplate(readPath(content, ['template']));
  return template && templateFitsYear(template, year) ? template : undefined;
}

/** The agency's most recent report before `year`: its template decides whether beijing-2019 is offered. */
async function previousTemplateId(
  store: Store,
  agencyId: string,
  year: number,
  previous: Record<string, unknown> | undefined,
): Promise<string | undefined> {
  if (previous !== undefined && typeof previous['template'] === 'string') return previous['template'];
  const earlier = (await store.listHeads(agencyId)).filter((head) => head.year < year).sort((a, b) => b.year - a.year)[0];
  return earlier?.template;
}

/** The format the district set for the agency's new reports (the agency page of the administrator's console). */
export function agencyTemplateSetting(agency: Agency | undefined): string | undefined {
  return agency?.template;
}

/** The draft's own copy of a report, with agency and year always the page's (a draft is any JSON the API was given). */
function ownContent(content: unknown, agency: { id: string; name: string }, year: number): DraftReport {
  const report: DraftReport = isRecord(content) ? structuredClone(content) : {};
  report['agency'] = { id: agency.id, name: agency.name };
  report['year'] = year;
  return report;
}

/** Cells still holding what last year's report gave them: marked in the form so the officer checks them. */
function stillPrefilled(
  template: Template,
  agency: { id: string; name: string },
  year: number,
  previous: unknown,
  content: unknown,
): string[] {
  const prefill = prefillReport(template, agency, year, previous);
  return prefill.prefilled.filter((path) => readPath(content, path.split('.')) === readPath(prefill.report, path.split('.')));
}

/**
 * GET /drafts/{agencyId}/{year}: the officer's working copy, or a new one prefilled from last year. A year already in
 * review or published goes to its status page, a returned one to its revision form.
 */
export async function loadDraftForm(
  principal: Principal,
  agencyId: string,
  year: number,
  requestedTemplate: string | undefined,
  deps: PageDeps,
): Promise<FormPageData> {
  if (!isOfficerOf(principal, agencyId)) throw new NotFoundError('找不到该草稿：只有本机关的信息员可以填报。');
  const reportId = reportIdOf(agencyId, year);
  const head = await deps.store.getHead(reportId);
  if (head?.status === 'returned') return { kind: 'redirect', location: editPagePath(reportId) };
  if (!startable(head)) return { kind: 'redirect', location: reportPagePath(reportId) };
  const [agencyRecord, previous, draft] = await Promise.all([
    deps.store.getAgency(agencyId),
    previousYearReport(deps.store, agencyId, year),
    deps.store.getDraft(agencyId, year),
  ]);
  const agency = { id: agencyId, name: agencyRecord?.name ?? agencyId };
  const choice = templateChoice(year, {
    agencySetting: agencyTemplateSetting(agencyRecord),
    previous: await previousTemplateId(deps.store, agencyId, year, previous),
  });
  const withdrawn = head?.status === 'withdrawn' ? (await deps.store.getVersion(reportId, head.version))?.content : undefined;

  let template: Template;
  let report: DraftReport;
  let prefilled: string[];
  const kept = draft?.content ?? withdrawn;
  const keptTemplate = kept === undefined ? undefined : templateOf(kept, year);
  if (kept !== undefined && keptTemplate) {
    template = keptTemplate;
    report = ownContent(kept, agency, year);
    prefilled = stillPrefilled(template, agency, year, previous, report);
  } else {
    const requested = findTemplate(requestedTemplate);
    template = requested && templateFitsYear(requested, year) ? requested : choice.template;
    const prefill = prefillReport(template, agency, year, previous);
    report = prefill.report;
    prefilled = [...prefill.prefilled];
  }
  return {
    kind: 'page',
    props: {
      principal,
      template,
      templateOptions: choice.options.some((option) => option.id === template.id) ? choice.options : [template, ...choice.options],
      prefilled,
      previousYear: previous === undefined ? undefined : year - 1,
      returnComment: undefined,
      draftSavedAt: draft === undefined ? undefined : beijingTime(draft.updatedAt),
      context: {
        mode: 'draft',
        reportId: head === undefined ? null : reportId,
        agency,
        year,
        template: template.id,
        report,
        previous: previous ?? null,
        draftRevision: draft?.revision ?? null,
      },
    },
  };
}

/**
 * GET /reports/{id}/edit: a returned report, opened on the returned version (or on the officer's draft when they saved
 * one after the return), resubmitted with PUT /api/reports/{id}.
 */
export async function loadRevisionForm(principal: Principal, reportId: string, deps: PageDeps): Promise<FormPageData> {
  const view = await getReport(reportId, principal, deps);
  if (!isOfficerOf(principal, view.agencyId)) throw new NotFoundError('只有本机关的信息员可以修改报告。');
  if (view.status !== 'returned') return { kind: 'redirect', location: reportPagePath(reportId) };
  const [draft, previous] = await Promise.all([
    deps.store.getDraft(view.agencyId, view.year),
    previousYearReport(deps.store, view.agencyId, view.year),
  ]);
  const returnedAt = view.decisions
    .flatMap((raw) => {
      const decision = DecisionSchema.safeParse(raw);
      return decision.success && decision.data.outcome === 'return' ? [decision.data.decidedAt] : [];
    })
    .at(-1);
  const agency = { id: view.agencyId, name: view.agencyName };
  const useDraft =
    draft !== undefined && returnedAt !== undefined && draft.updatedAt > returnedAt && templateOf(draft.content, view.year) !== undefined;
  const report = ownContent(useDraft ? draft.content : view.content, agency, view.year);
  const template = templateOf(report, view.year) ?? findTemplate(view.template);
  if (!template) throw new NotFoundError('该报告的格式无法识别。');
  return {
    kind: 'page',
    props: {
      principal,
      template,
      templateOptions: [template],
      prefilled: stillPrefilled(template, agency, view.year, previous, report),
      previousYear: previous === undefined ? undefined : view.year - 1,
      returnComment: view.returnComment,
      draftSavedAt: useDraft ? beijingTime(draft.updatedAt) : undefined,
      context: {
        mode: 'resubmit',
        reportId,
        agency,
        year: view.year,
        template: template.id,
        report,
        previous: previous ?? null,
        draftRevision: draft?.revision ?? null,
      },
    },
  };
}
