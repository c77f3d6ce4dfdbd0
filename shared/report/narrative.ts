/**
 * Numbers an officer writes in 一、总体情况 (“共收到政府信息公开申请12件”), read so that N1 can compare them with the
 * tables. Deliberately narrow: a phrase is read only when its meaning is unambiguous, because a false alarm on a
 * correct report costs the officer more than a missed one.
 */

export type ClaimKind = 'received' | 'carriedOver' | 'concluded' | 'carriedForward' | 'reconsideration' | 'litigation';

export interface NumberClaim {
  readonly kind: ClaimKind;
  readonly value: number;
  /** the words the number was read from, quoted back to the officer */
  readonly excerpt: string;
}

export interface UpheldClaim {
  readonly kind: 'allUpheld';
  readonly subject: 'reconsideration' | 'litigation';
  readonly excerpt: string;
}

export type Claim = NumberClaim | UpheldClaim;

const DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };

/** Arabic or Chinese numerals up to 万 (“12”, “十二”, “一百零五”, “１２”). */
export function parseNumber(text: string): number | undefined {
  const ascii = text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  if (/^\d+$/.test(ascii)) return Number(ascii);
  let total = 0;
  let digit: number | undefined;
  for (const char of ascii) {
    const d = DIGITS[char];
    const unit = UNITS[char];
    if (d !== undefined) digit = d;
    else if (unit !== undefined) {
      total += (digit ?? 1) * unit;
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

const NUM = '([0-9０-９]+|[零〇一二两三四五六七八九十百千万]+)';
const MEASURE = '(?:件|条|份|宗|起|个|次)';
/** Words between the verb and the number; no digits and no clause break, so the number belongs to the verb. */
const GAP = '([^，,。；;：:、\\d０-９零〇一二两三四五六七八九十百千万]{0,16})';

interface Pattern {
  readonly kind: ClaimKind;
  readonly regex: RegExp;
  /** words that, in the gap, mean the number is about something else */
  readonly notInGap?: RegExp;
}

const ABOUT_CASES = /复议|诉讼|举报|投诉|信访|建议|提案|咨询|来电|留言/;

const PATTERNS: readonly Pattern[] = [
  { kind: 'carriedOver', regex: new RegExp(`上一?年度?结转${GAP}${NUM}${MEASURE}`, 'g') },
  {
    kind: 'received',
    regex: new RegExp(`(?:收到|受理|新收|接收|接到)${GAP}${NUM}${MEASURE}`, 'g'),
    notInGap: ABOUT_CASES,
  },
  { kind: 'concluded', regex: new RegExp(`(?:办结|答复|办理完毕)${GAP}${NUM}${MEASURE}`, 'g'), notInGap: ABOUT_CASES },
  {
    kind: 'carriedForward',
    regex: new RegExp(`结转(?:至|到)?(?:下一?年度?|[0-9０-９]{4}年度?)${GAP}${NUM}${MEASURE}`, 'g'),
  },
  { kind: 'reconsideration', regex: new RegExp(`行政复议(?:案件|申请)?${GAP}${NUM}${MEASURE}`, 'g'), notInGap: /诉讼/ },
  { kind: 'litigation', regex: new RegExp(`行政诉讼(?:案件)?${GAP}${NUM}${MEASURE}`, 'g'), notInGap: /复议/ },
];

/**
 * Every pattern above needs one of these words, so a clause without any (most clauses) cannot match and skips them:
 * six `matchAll`s per clause were most of the time spent checking a long 总体情况. Keep in step with PATTERNS.
 */
const PATTERN_WORDS = /结转|收到|受理|新收|接收|接到|办结|答复|办理完毕|行政复议|行政诉讼/;

const NONE_RECEIVED = /(?:未|没有)(?:收到|受理|接到)[^。；;，,]{0,12}(?:政府信息公开申请|依申请公开)/;
const NONE_CASES = /(?:未|没有)(?:发生|出现|收到|被申请|被提起)[^。；;]{0,24}(行政复议|行政诉讼)/;

function clauses(text: string): string[] {
  return text.split(/[。；;！!？?\n]+/).filter((clause) => clause.trim() !== '');
}

export function readClaims(text: string): Claim[] {
  const claims: Claim[] = [];
  for (const clause of clauses(text)) {
    // a clause about 上年结转 says nothing of the year's intake, and one about carrying forward says nothing of intake either
    for (const pattern of PATTERN_WORDS.test(clause) ? PATTERNS : []) {
      for (const match of clause.matchAll(pattern.regex)) {
        const gap = match[1] ?? '';
        const value = parseNumber(match[2] ?? '');
        if (value === undefined || (pattern.notInGap?.test(gap) ?? false)) continue;
        if (pattern.kind === 'received' && /结转/.test(gap)) continue;
        claims.push({ kind: pattern.kind, value, excerpt: match[0] });
      }
    }
    const none = NONE_RECEIVED.exec(clause);
    if (none) claims.push({ kind: 'received', value: 0, excerpt: none[0] });
    const noCases = NONE_CASES.exec(clause);
    if (noCases) {
      if (/复议/.test(noCases[0])) claims.push({ kind: 'reconsideration', value: 0, excerpt: noCases[0] });
      if (/诉讼/.test(noCases[0])) claims.push({ kind: 'litigation', value: 0, excerpt: noCases[0] });
    }
    const upheld = /均(?:获|被|予以|得到)?维持/.exec(clause);
    if (upheld) {
      if (/复议/.test(clause)) claims.push({ kind: 'allUpheld', subject: 'reconsideration', excerpt: clause.trim() });
      if (/诉讼/.test(clause)) claims.push({ kind: 'allUpheld', subject: 'litigation', excerpt: clause.trim() });
    }
  }
  return claims;
}
