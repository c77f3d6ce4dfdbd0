import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { signInCodeMessage } from '../mail/messages.js';
import type { Background } from '../runtime/background.js';
import { ConflictError, UnauthenticatedError } from '../workflow/errors.js';
import type { Session, SignInCode } from '../workflow/model.js';
import { EmailSchema } from '../workflow/model.js';
import type { Clock, Mailer, RosterStore, SignInStore } from '../workflow/ports.js';
import { browserHash } from './browser.js';
import { principalOf, type Principal } from './principal.js';

/**
 * Sign-in with an emailed one-time code. Codes and session ids are stored only as keyed or plain hashes, so a read of
 * the table signs nobody in.
 *
 * Nothing here tells anyone who is on the roster. Asking for a code does the same store work for any well-formed
 * address — limits counted, a code stored — and only the email differs, handed to the background so the answer does
 * not wait for it. Checking a code is the same for every address too: wrong, expired, used up or never sent all get the
 * same 401 and the same words. The limits are single conditional updates, so parallel requests cannot overshoot them.
 */

export const SIGN_IN_LIMITS = {
  codeMinutes: 10,
  attemptsPerCode: 5,
  /** per address and browser (auth/browser.ts): a stranger's requests use their own budget */
  codesPerHour: 5,
  /** per address, counted apart for a browser that signed in as that address before */
  codesPerDay: 20,
  sessionHours: 12,
} as const;

export interface CodeDeps {
  readonly store: SignInStore & RosterStore;
  readonly clock: Clock;
  readonly codeKey: Buffer;
}

export interface SignInDeps extends CodeDeps {
  readonly mailer: Mailer;
  readonly baseUrl: string;
  readonly background: Background;
}

/** Who is asking, as far as sign-in can tell before a session: the browser's id and whether it signed in as them before. */
export interface Asker {
  readonly browserId: string | undefined;
  /** true when the browser carries a valid "signed in as this address before" mark */
  readonly knownBrowser: boolean;
}

const minutes = (n: number) => n * 60_000;
const HOUR = minutes(60);
const DAY = 24 * HOUR;

function codeHash(key: Buffer, email: string, codeId: string, code: string): string {
  return createHmac('sha256', key).update(`sign-in v1\n${email}\n${codeId}\n${code}`).digest('hex');
}

export const sessionIdHash = (sessionId: string): string => createHash('sha256').update(sessionId, 'utf8').digest('hex');

/** A fixed window: its start as an ISO time, and when its counter may be dropped. */
function windowOf(now: Date, length: number): { start: string; expiresAt: string } {
  const start = Math.floor(now.getTime() / length) * length;
  return { start: new Date(start).toISOString(), expiresAt: new Date(start + 2 * length).toISOString() };
}

/**
 * Stores a code for the address and has it emailed when the address is on the roster and within the limits. Says
 * nothing either way. A malformed address is the only case that does no store work; it is not an address anyone
 * could be on the roster with.
 */
export async function requestSignInCode(rawEmail: string, asker: Asker, deps: SignInDeps): Promise<void> {
  const parsed = EmailSchema.safeParse(rawEmail);
  if (!parsed.success) return;
  const email = parsed.data;
  const now = deps.clock.now();
  const browser = browserHash(asker.browserId);
  const entry = await deps.store.getRosterEntry(email);
  const hour = windowOf(now, HOUR);
  if (!(await deps.store.countSignInRequest(email, `HOUR#${hour.start}#${browser}`, SIGN_IN_LIMITS.codesPerHour, hour.expiresAt))) return;
  const day = windowOf(now, DAY);
  const budget = asker.knownBrowser ? browser : 'ANY';
  if (!(await deps.store.countSignInRequest(email, `DAY#${day.start}#${budget}`, SIGN_IN_LIMITS.codesPerDay, day.expiresAt))) return;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const codeId = randomBytes(12).toString('base64url');
  const record: SignInCode = {
    email,
    codeId,
    codeHash: codeHash(deps.codeKey, email, codeId, code),
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + minutes(SIGN_IN_LIMITS.codeMinutes)).toISOString(),
    attempts: 0,
    browserHash: browser,
  };
  // stored for an address off the roster too, so the store work (and a later guess at it) is the same for everyone
  await deps.store.putSignInCode(record);
  if (!entry) return;
  const message = signInCodeMessage({ to: email, code, minutesValid: SIGN_IN_LIMITS.codeMinutes, baseUrl: deps.baseUrl });
  deps.background.run('sign-in email', () => deps.mailer.send(message));
}

const INVALID_CODE = '验证码不正确或已过期，请重新获取。';

/**
 * Checks the code against one code only — the newest live one asked from this browser — and opens a 12-hour
 * server-side session. Each code takes five tries; the sixth and later tries get the same answer as a wrong code.
 */
export async function createSession(
  input: { email: string; code: string },
  asker: Pick<Asker, 'browserId'>,
  deps: CodeDeps,
): Promise<{ sessionId: string; session: Session }> {
  const parsed = EmailSchema.safeParse(input.email);
  if (!parsed.success || !/^\d{6}$/.test(input.code)) throw new UnauthenticatedError(INVALID_CODE);
  const email = parsed.data;
  const now = deps.clock.now();
  const browser = browserHash(asker.browserId);
  const since = new Date(now.getTime() - minutes(SIGN_IN_LIMITS.codeMinutes)).toISOString();
  const candidate = (await deps.store.listSignInCodes(email, since)).find(
    (code) =>
      code.usedAt === undefined && Date.parse(code.expiresAt) > now.getTime() && (code.browserHash ?? browserHash(undefined)) === browser,
  );
  if (!candidate) throw new UnauthenticatedError(INVALID_CODE);
  let counted: SignInCode;
  try {
    counted = await deps.store.countSignInAttempt(email, candidate.codeId, SIGN_IN_LIMITS.attemptsPerCode);
  } catch (error) {
    if (error instanceof ConflictError) throw new UnauthenticatedError(INVALID_CODE);
    throw error;
  }
  const expected = Buffer.from(counted.codeHash, 'hex');
  const given = Buffer.from(codeHash(deps.codeKey, counted.email, counted.codeId, input.code), 'hex');
  if (!timingSafeEqual(expected, given)) throw new UnauthenticatedError(INVALID_CODE);
  try {
    await deps.store.markSignInCodeUsed(email, candidate.codeId, now.toISOString());
  } catch (error) {
    if (error instanceof ConflictError) throw new UnauthenticatedError(INVALID_CODE);
    throw error;
  }
  // only a roster address is ever emailed a code, so a right code for anyone else cannot happen; refuse it anyway
  if (!(await deps.store.getRosterEntry(email))) throw new UnauthenticatedError(INVALID_CODE);
  const sessionId = randomBytes(32).toString('base64url');
  const session: Session = {
    idHash: sessionIdHash(sessionId),
    email,
    csrfToken: randomBytes(24).toString('base64url'),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SIGN_IN_LIMITS.sessionHours * 3_600_000).toISOString(),
  };
  await deps.store.putSession(session);
  return { sessionId, session };
}

export interface SessionDeps {
  readonly store: SignInStore & RosterStore;
  readonly clock: Clock;
}

/** The signed-in person, or undefined for no cookie, an unknown or expired session, or someone no longer on the roster. */
export async function resolveSession(sessionId: string | undefined, deps: SessionDeps): Promise<Principal | undefined> {
  if (sessionId === undefined || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
  const session = await deps.store.getSession(sessionIdHash(sessionId));
  if (!session || Date.parse(session.expiresAt) <= deps.clock.now().getTime()) return undefined;
  const entry = await deps.store.getRosterEntry(session.email);
  return entry ? principalOf(entry, session.csrfToken) : undefined;
}

export async function endSession(sessionId: string | undefined, deps: SessionDeps): Promise<void> {
  if (sessionId === undefined || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return;
  await deps.store.deleteSession(sessionIdHash(sessionId));
}
