/**
 * Numbers an officer writes in 一、总体情况 (“共收到政府信息公开申请12件”), read so that N1 can compare them with the
 * tables. Deliberately narrow: a phrase is read only when its meaning is unambiguous, because a false alarm on a
 * correct report costs the officer more than a missed one.
 */

export type ClaimKind = 'received' | 'carriedOver' | 'concluded' | 'carriedForward' | 'reconsideration' | 'litigation' | OutcomeKind;

/** The outcome rows of table 三 a sentence may quote (“予以公开10件，部分公开4件”). */
export type OutcomeKind =
  | 'disclosed'
  | 'partiallyDisclosed'
  | 'disclosedOrPartially'
  | 'withheld'
  | 'unableToProvide'
  | 'notProcessed'
  | 'otherHandling';

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
const MEASURE = '(?:件次|人次|件|条|份|宗|起|个|次)';
/** applications are counted in 件 (sometimes 件次 or 份): an outcome counted in 条 is of published information */
const APPLICATION_MEASURE = '(?:件次|件|份)';
/** Words between the verb and the number; no digits and no clause break, so the number belongs to the verb. */
const GAP = '([^，,。；;：:、\\d０-９零〇一二两三四五六七八九十百千万]{0,16})';
/** Where a phrase ends: the words after a count up to here say what was counted. */
const PHRASE_END = /[，,。；;：:、（(]/;

interface Pattern {
  readonly kind: ClaimKind;
  readonly regex: RegExp;
  /** words that, in the gap, mean the number is about something else */
  readonly notInGap?: RegExp;
  /** the count must be of 政府信息公开申请: 申请 in the phrase or just before it (受理 and 答复 count many things) */
  readonly applications?: boolean;
  /** a word the pattern cannot match without: a clause lacking it skips the pattern (most clauses lack all of them) */
  readonly word?: string;
}

const ABOUT_CASES = /复议|诉讼|举报|投诉|信访|建议|提案|咨询|来电|留言/;

const PATTERNS: readonly Pattern[] = [
  { kind: 'carriedOver', regex: new RegExp(`上一?年度?结转${GAP}${NUM}${MEASURE}`, 'g') },
  {
    kind: 'received',
    regex: new RegExp(`(?:收到|受理|新收|接收|接到)${GAP}${NUM}${MEASURE}`, 'g'),
    notInGap: ABOUT_CASES,
    applications: true,
  },
  { kind: 'concluded', regex: new RegExp(`(?:办结|答复|办理完毕)${GAP}${NUM}${MEASURE}`, 'g'), notInGap: ABOUT_CASES, applications: true },
  {
    kind: 'carriedForward',
    regex: new RegExp(`结转(?:至|到)?(?:下一?年度?|[0-9０-９]{4}年度?)${GAP}${NUM}${MEASURE}`, 'g'),
  },
  { kind: 'reconsideration', regex: new RegExp(`行政复议(?:案件|申请)?${GAP}${NUM}${MEASURE}`, 'g'), notInGap: /诉讼/ },
  { kind: 'litigation', regex: new RegExp(`行政诉讼(?:案件)?${GAP}${NUM}${MEASURE}`, 'g'), notInGap: /复议/ },
];

/**
 * The outcome sentences, the combined one first: its words are then taken out of the clause, so that
 * “予以公开及部分公开14件” is not also read as 部分公开14件.
 */
const OUTCOME_PATTERNS: readonly Pattern[] = [
  {
    kind: 'disclosedOrPartially',
    regex: new RegExp(`(?:(?:予以|全部)公开(?:及|和|与|、|或)部分公开|全部或部分公开)${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'),
    word: '部分公开',
  },
  {
    kind: 'disclosed',
    regex: new RegExp(`(?<!不)予以公开${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'),
    notInGap: /部分|不予/,
    word: '予以公开',
  },
  { kind: 'partiallyDisclosed', regex: new RegExp(`部分公开${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'), notInGap: /不予/, word: '部分公开' },
  { kind: 'withheld', regex: new RegExp(`不予以?公开${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'), word: '不予' },
  { kind: 'unableToProvide', regex: new RegExp(`无法提供${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'), word: '无法提供' },
  { kind: 'notProcessed', regex: new RegExp(`不予以?处理${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'), word: '不予' },
  { kind: 'otherHandling', regex: new RegExp(`其他处理${GAP}${NUM}${APPLICATION_MEASURE}`, 'g'), word: '其他处理' },
];

/**
 * Every pattern above needs one of these words, so a clause without any (most clauses) cannot match and skips them:
 * a dozen `matchAll`s per clause were most of the time spent checking a long 总体情况. Keep in step with the patterns.
 */
const PATTERN_WORDS = /结转|收到|受理|新收|接收|接到|办结|答复|办理完毕|行政复议|行政诉讼/;
const OUTCOME_WORDS = /部分公开|予以公开|不予|无法提供|其他处理/;

const NONE_RECEIVED = /(?:未|没有)(?:收到|受理|接到)[^。；;，,]{0,12}(?:政府信息公开申请|依申请公开)/;
const NONE_CASES = /(?:未|没有)(?:发生|出现|收到|被申请|被提起)[^。；;]{0,24}(行政复议|行政诉讼)/;

/** How far before a count 申请 may stand and still say what is counted (“新收申请30件，上年结转0件，办结27件”). */
const CONTEXT_CHARS = 40;

/** a sentence ends at its punctuation, and a paragraph (a blank line) ends one too */
const SENTENCE_END = /[。；;！!？?]+|\n[^\S\n]*\n/;
const SPACE = /\s/;
const SPACES = /\s+/g;
const DIGIT = /[0-9０-９]/;
/** white space goes, except between two digits, where it keeps two numbers apart */
const joinAcross = (space: string, offset: number, whole: string): string =>
  DIGIT.test(whole.charAt(offset - 1)) && DIGIT.test(whole.charAt(offset + space.length)) ? ' ' : '';

/**
 * Sentences as a reader sees them. Reports are typeset with spaces around numbers (“申请 17 件”) and arrive with lines
 * wrapped anywhere, so white space and single line breaks are dropped (except between two digits, which would make
 * one number of two); a blank line still ends a paragraph.
 */
export function sentences(text: string): string[] {
  const found: string[] = [];
  for (const piece of text.split(SENTENCE_END)) {
    const sentence = piece.trim();
    if (sentence === '') continue;
    // most sentences hold no white space once trimmed (lines break after 。), and need no more work
    found.push(SPACE.test(sentence) ? sentence.replace(SPACES, joinAcross) : sentence);
  }
  return found;
}

/** Whether a count of 受理/办结 is of 政府信息公开申请, and of nothing else (“受理平台已接入12个部门” is not). */
function aboutApplications(sentence: string, index: number, match: RegExpMatchArray, gap: string): boolean {
  const after = sentence.slice(index + match[0].length);
  const end = after.search(PHRASE_END);
  const counted = end === -1 ? after : after.slice(0, end);
  // words after the measure name what was counted: they have to be the applications
  if (counted !== '' && !counted.includes('申请')) return false;
  return gap.includes('申请') || counted.includes('申请') || sentence.slice(Math.max(0, index - CONTEXT_CHARS), index).includes('申请');
}

function readPatterns(sentence: string, patterns: readonly Pattern[], claims: Claim[]): string {
  let rest = sentence;
  for (const pattern of patterns) {
    if (pattern.word !== undefined && !rest.includes(pattern.word)) continue;
    for (const match of rest.matchAll(pattern.regex)) {
      const gap = match[1] ?? '';
      const value = parseNumber(match[2] ?? '');
      const index = match.index;
      if (value === undefined || (pattern.notInGap?.test(gap) ?? false)) continue;
      if (pattern.kind === 'received' && /结转/.test(gap)) continue;
      if (pattern.applications && !aboutApplications(rest, index, match, gap)) continue;
      claims.push({ kind: pattern.kind, value, excerpt: match[0] });
    }
    if (pattern.kind === 'disclosedOrPartially') rest = rest.replace(pattern.regex, (words) => '＿'.repeat(words.length));
  }
  return rest;
}

export function readClaims(text: string): Claim[] {
  const claims: Claim[] = [];
  for (const clause of sentences(text)) {
    if (PATTERN_WORDS.test(clause)) readPatterns(clause, PATTERNS, claims);
    if (OUTCOME_WORDS.test(clause)) readPatterns(clause, OUTCOME_PATTERNS, claims);
    const none = NONE_RECEIVED.exec(clause);
    if (none) claims.push({ kind: 'received', value: 0, excerpt: none[0] });
    const noCases = NONE_CASES.exec(clause);
    if (noCases) {
      if (/复议/.test(noCases[0])) claims.push({ kind: 'reconsideration', value: 0, excerpt: noCases[0] });
      if (/诉讼/.test(noCases[0])) claims.push({ kind: 'litigation', value: 0, excerpt: noCases[0] });
    }
    const upheld = /均(?:获|被|予以|得到)?维持/.exec(clause);
    if (upheld) {
      if (/复议/.test(clause)) claims.push({ kind: 'allUpheld', subject: 'reconsideration', excerpt: clause });
      if (/诉讼/.test(clause)) claims.push({ kind: 'allUpheld', subject: 'litigation', excerpt: clause });
    }
  }
  return claims;
}
