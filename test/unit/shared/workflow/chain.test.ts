import { propertyRuns } from '../../../support/property-runs.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash, sealEvent, verifyChain, type ChainProblemKind } from '#shared/workflow/chain.js';
import { canonicalJson } from '#shared/workflow/digest.js';
import type { ReportEvent, UnsealedEvent } from '#shared/workflow/model.js';

const REPORT = 'daxing-kw-2020';
const SHA_V1 = 'a'.repeat(64);
const SHA_V2 = 'b'.repeat(64);
const CHINESE = /[\u4e00-\u9fff]/u;

const decision = (outcome: 'approve' | 'return', stage: 'director' | 'leader', version: number, comment = '') => ({
  outcome,
  comment,
  approver: stage === 'director' ? 'director@kw.example.cn' : 'leader@kw.example.cn',
  approverName: stage === 'director' ? '王主任' : '张副主任',
  stage,
  confidentialityReviewed: stage === 'director' && outcome === 'approve',
  version,
  decidedAt: '2021-01-20T02:00:00.000Z',
});

/** A plausible log: submitted, reviewed, returned, resubmitted, approved twice, published. */
function unsealed(reportId: string): UnsealedEvent[] {
  const officer = { email: 'officer@kw.example.cn', name: '李信息员', role: 'officer' as const };
  const system = { role: 'system' as const };
  const at = (minute: number) => `2021-01-20T01:${String(minute).padStart(2, '0')}:00.000Z`;
  return [
    {
      reportId,
      type: 'submitted',
      at: at(0),
      actor: officer,
      version: 1,
      contentSha256: SHA_V1,
      data: { report: { year: 2020, overview: '一、总体情况' }, round: 1, executionName: `${reportId}-r1` },
    },
    {
      reportId,
      type: 'review_requested',
      at: at(1),
      actor: system,
      version: 1,
      contentSha256: SHA_V1,
      data: { reviewId: 'r'.repeat(24), stage: 'director', tokenSeq: 1 },
    },
    {
      reportId,
      type: 'decided',
      at: at(2),
      actor: { email: 'director@kw.example.cn', name: '王主任', role: 'director' },
      version: 1,
      contentSha256: SHA_V1,
      data: { reviewId: 'r'.repeat(24), decision: decision('return', 'director', 1, '请核对第三部分的数字。') },
    },
    {
      reportId,
      type: 'revision_requested',
      at: at(3),
      actor: system,
      version: 1,
      contentSha256: SHA_V1,
      data: { comment: '请核对第三部分的数字。', stage: 'director' },
    },
    {
      reportId,
      type: 'resubmitted',
      at: at(4),
      actor: officer,
      version: 2,
      contentSha256: SHA_V2,
      data: { report: { year: 2020, overview: '一、总体情况（修改）' }, returnedVersion: 1 },
    },
    {
      reportId,
      type: 'decided',
      at: at(5),
      actor: { email: 'director@kw.example.cn', name: '王主任', role: 'director' },
      version: 2,
      contentSha256: SHA_V2,
      data: { reviewId: 's'.repeat(24), decision: decision('approve', 'director', 2) },
    },
    {
      reportId,
      type: 'decided',
      at: at(6),
      actor: { email: 'leader@kw.example.cn', name: '张副主任', role: 'leader' },
      version: 2,
      contentSha256: SHA_V2,
      data: { reviewId: 't'.repeat(24), decision: decision('approve', 'leader', 2, '同意发布') },
    },
    {
      reportId,
      type: 'published',
      at: at(7),
      actor: system,
      version: 2,
      contentSha256: SHA_V2,
      data: { objects: [{ key: 'reports/daxing-kw/2020/index.html', sha256: 'c'.repeat(64) }], publishedAt: at(7) },
    },
  ];
}

function sealAll(events: readonly UnsealedEvent[]): ReportEvent[] {
  const sealed: ReportEvent[] = [];
  for (const event of events) sealed.push(sealEvent(event, sealed.at(-1)));
  return sealed;
}

const chain = (reportId = REPORT) => sealAll(unsealed(reportId));

/** Every path to a value in the event, objects and arrays walked into: `['data', 'decision', 'comment']`. */
function leafPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...prefix, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  }
  return [prefix];
}

function edited(event: ReportEvent, path: ReadonlyArray<string | number>, value: unknown, remove: boolean): ReportEvent {
  const copy: Record<string | number, unknown> = structuredClone(event);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) ?? '';
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy as unknown as ReportEvent;
}

/** What verifyChain must call an edit of a top-level field. */
function expectedKind(field: string | number): ChainProblemKind {
  if (field === 'reportId') return 'wrong_report';
  if (field === 'seq') return 'sequence';
  if (field === 'prevHash') return 'link';
  return 'hash';
}

function expectProblem(result: ReturnType<typeof verifyChain>, position: number, kind: ChainProblemKind): void {
  expect(result.valid).toBe(false);
  expect(result.head).toBeUndefined();
  expect(result.problem?.kind).toBe(kind);
  expect(result.problem?.message).toMatch(CHINESE);
  // the message names the record by its place in the log (第 n 条), whatever its stored seq claims
  expect(result.problem?.message).toContain(`第 ${position} 条`);
}

describe('sealEvent', () => {
  it('numbers events from 1 and links each to the hash of the one before, starting from the genesis hash', () => {
    const events = chain();
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
  });

  it('hashes the canonical JSON of every other field, so key order does not matter', () => {
    const [first] = chain();
    if (!first) throw new Error('no event');
    const { hash, ...body } = first;
    expect(hash).toBe(eventHash(body));
    const reversed = Object.fromEntries(Object.entries(body).reverse()) as typeof body;
    expect(eventHash(reversed)).toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores any seq, prevHash or hash the caller passes in', () => {
    const [event] = unsealed(REPORT);
    if (!event) throw new Error('no event');
    const sneaky = { ...event, seq: 42, prevHash: 'f'.repeat(64), hash: 'e'.repeat(64) } as UnsealedEvent;
    expect(sealEvent(sneaky, undefined)).toEqual(sealEvent(event, undefined));
  });
});

describe('verifyChain', () => {
  it('accepts a sealed chain and names its head', () => {
    const events = chain();
    expect(verifyChain(REPORT, events)).toEqual({ valid: true, head: events.at(-1)?.hash, length: events.length });
  });

  it('accepts an empty log (no head)', () => {
    expect(verifyChain(REPORT, [])).toEqual({ valid: true, head: undefined, length: 0 });
  });

  it('accepts a chain that went through the store (a plain JSON round trip)', () => {
    const events = JSON.parse(JSON.stringify(chain())) as ReportEvent[];
    expect(verifyChain(REPORT, events).valid).toBe(true);
  });

  it('rejects an edit of any field of any event, and says which record and what kind of break', () => {
    const events = chain();
    const edits = fc
      .nat({ max: events.length - 1 })
      .chain((index) => {
        const event = events[index];
        if (!event) throw new Error('no event');
        return fc.record({
          index: fc.constant(index),
          path: fc.constantFrom(...leafPaths(event)),
          value: fc.oneof(
            fc.jsonValue(),
            fc.string(),
            fc.integer(),
            fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
          ),
          remove: fc.boolean(),
        });
      })
      .filter(({ index, path, value, remove }) => {
        const event = events[index];
        return event !== undefined && canonicalJson(edited(event, path, value, remove)) !== canonicalJson(event);
      });
    fc.assert(
      fc.property(edits, ({ index, path, value, remove }) => {
        const tampered = events.map((event, i) => (i === index && event ? edited(event, path, value, remove) : event));
        const result = verifyChain(REPORT, tampered);
        const field = path[0] ?? '';
        expectProblem(result, index + 1, expectedKind(field));
        if (field !== 'seq') expect(result.problem?.seq).toBe(index + 1);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('rejects a chain with any event but the last removed, at the first record out of place', () => {
    const events = chain();
    for (let removed = 0; removed < events.length - 1; removed++) {
      const result = verifyChain(
        REPORT,
        events.filter((_, i) => i !== removed),
      );
      expectProblem(result, removed + 1, 'sequence');
      // the record now in that place carries the seq of the one after the removed record
      expect(result.problem?.seq).toBe(removed + 2);
      expect(result.problem?.message).toContain(`序号是 ${removed + 2}`);
    }
  });

  it('rejects a removal even when the remaining events are renumbered to hide it', () => {
    const events = chain();
    fc.assert(
      fc.property(fc.nat({ max: events.length - 2 }), (removed) => {
        const renumbered = events.filter((_, i) => i !== removed).map((event, i) => ({ ...event, seq: i + 1 }));
        const result = verifyChain(REPORT, renumbered);
        expect(result.valid).toBe(false);
        expect(result.problem?.message).toMatch(CHINESE);
        // the renumbered records no longer match their own hashes; the first one touched is where it breaks
        expect(result.problem?.seq).toBe(removed + 1);
        expect(['link', 'hash']).toContain(result.problem?.kind);
      }),
    );
  });

  it('cannot see the last event removed on its own: the head moves back, which an auditor compares with the stored head', () => {
    const events = chain();
    const truncated = verifyChain(REPORT, events.slice(0, -1));
    expect(truncated.valid).toBe(true);
    expect(truncated.head).toBe(events.at(-2)?.hash);
    expect(truncated.head).not.toBe(verifyChain(REPORT, events).head);
    expect(truncated.length).toBe(events.length - 1);
  });

  it('rejects any two events swapped', () => {
    const events = chain();
    const pairs = fc
      .tuple(fc.nat({ max: events.length - 1 }), fc.nat({ max: events.length - 1 }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    fc.assert(
      fc.property(pairs, ([first, second]) => {
        const swapped = [...events];
        const a = swapped[first];
        const b = swapped[second];
        if (!a || !b) throw new Error('no event');
        swapped[first] = b;
        swapped[second] = a;
        const result = verifyChain(REPORT, swapped);
        expectProblem(result, first + 1, 'sequence');
        expect(result.problem?.seq).toBe(second + 1);
      }),
    );
  });

  it('rejects two events swapped and renumbered', () => {
    const events = chain();
    const pairs = fc
      .tuple(fc.nat({ max: events.length - 1 }), fc.nat({ max: events.length - 1 }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    fc.assert(
      fc.property(pairs, ([first, second]) => {
        const swapped = [...events];
        const a = swapped[first];
        const b = swapped[second];
        if (!a || !b) throw new Error('no event');
        swapped[first] = { ...b, seq: first + 1 };
        swapped[second] = { ...a, seq: second + 1 };
        const result = verifyChain(REPORT, swapped);
        expect(result.valid).toBe(false);
        expect(result.problem?.seq).toBe(first + 1);
        expect(['link', 'hash']).toContain(result.problem?.kind);
        expect(result.problem?.message).toContain(`第 ${first + 1} 条`);
      }),
    );
  });

  it('rejects an event appended from another report’s log', () => {
    const events = chain();
    const other = chain('daxing-kw-2019');
    fc.assert(
      fc.property(fc.nat({ max: other.length - 1 }), (index) => {
        const foreign = other[index];
        if (!foreign) throw new Error('no event');
        const result = verifyChain(REPORT, [...events, foreign]);
        expectProblem(result, events.length + 1, 'wrong_report');
        expect(result.problem?.message).toContain('daxing-kw-2019');
      }),
    );
  });

  it('rejects another report’s event re-labelled and renumbered to fit', () => {
    const events = chain();
    const foreign = chain('daxing-kw-2019').at(-1);
    if (!foreign) throw new Error('no event');
    const disguised = { ...foreign, reportId: REPORT, seq: events.length + 1 };
    const result = verifyChain(REPORT, [...events, disguised]);
    expect(result.valid).toBe(false);
    expect(result.problem).toMatchObject({ seq: events.length + 1, kind: 'link' });
    expect(result.problem?.message).toMatch(CHINESE);
  });

  it('rejects a log that belongs to another report entirely', () => {
    const result = verifyChain(REPORT, chain('daxing-kw-2019'));
    expectProblem(result, 1, 'wrong_report');
  });
});
