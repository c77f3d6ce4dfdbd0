import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { signInCodeMessage } from '../mail/messages.js';
import { ConflictError, TooManyRequestsError, UnauthenticatedError } from '../workflow/errors.js';
import type { Session, SignInCode } from '../workflow/model.js';
import { EmailSchema } from '../workflow/model.js';
import type { Clock, Mailer, Store } from '../workflow/ports.js';
import { principalOf, type Principal } from './principal.js';

/**
 * Sign-in with an emailed one-time code. Codes and session ids are stored only as keyed or plain hashes, so a read of
 * the table signs nobody in. Expiry is checked here, not by a TTL (the local emulator has none).
 */

export const SIGN_IN_LIMITS = {
  codeMinutes: 10,
  attemptsPerCode: 5,
  codesPerHour: 5,
  sessionHours: 12,
} as const;

export interface CodeDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly codeKey: Buffer;
}

export interface SignInDeps extends CodeDeps {
  readonly mailer: Mailer;
  readonly baseUrl: string;
}

const minutes = (n: number) => n * 60_000;

function codeHash(key: Buffer, email: string, codeId: string, code: string): string {
  return createHmac('sha256', key).update(`sign-in v1\n${email}\n${codeId}\n${code}`).digest('hex');
}

export const sessionIdHash = (sessionId: string): string => createHash('sha256').update(sessionId, 'utf8').digest('hex');

/**
 * Emails a code when the address is on the roster and under the hourly limit. Says nothing either way, so the
 * answer cannot be used to learn who is on the roster.
 */
export async function requestSignInCode(rawEmail: string, deps: SignInDeps): Promise<void> {
  const parsed = EmailSchema.safeParse(rawEmail);
  if (!parsed.success) return;
  const email = parsed.data;
  const entry = await deps.store.getRosterEntry(email);
  if (!entry) return;
  const now = deps.clock.now();
  const recent = await deps.store.listSignInCodes(email, new Date(now.getTime() - minutes(60)).toISOString());
  if (recent.length >= SIGN_IN_LIMITS.codesPerHour) return;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const codeId = randomBytes(12).toString('base64url');
  const record: SignInCode = {
    email,
    codeId,
    codeHash: codeHash(deps.codeKey, email, codeId, code),
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + minutes(SIGN_IN_LIMITS.codeMinutes)).toISOString(),
    attempts: 0,
  };
  await deps.store.putSignInCode(record);
  await deps.mailer.send(signInCodeMessage({ to: email, code, minutesValid: SIGN_IN_LIMITS.codeMinutes, baseUrl: deps.baseUrl }));
}

const INVALID_CODE = '验证码不正确或已过期，请重新获取。';

async function matchCode(candidate: SignInCode, code: string, deps: CodeDeps): Promise<'match' | 'wrong' | 'exhausted'> {
  let counted: SignInCode;
  try {
    counted = await deps.store.countSignInAttempt(candidate.email, candidate.codeId, SIGN_IN_LIMITS.attemptsPerCode);
  } catch (error) {
    if (error instanceof ConflictError) return 'exhausted';
    throw error;
  }
  const expected = Buffer.from(counted.codeHash, 'hex');
  const given = Buffer.from(codeHash(deps.codeKey, counted.email, counted.codeId, code), 'hex');
  return timingSafeEqual(expected, given) ? 'match' : 'wrong';
}

/** Checks the code (each live code takes at most five tries) and opens a 12-hour server-side session. */
export async function createSession(
  input: { email: string; code: string },
  deps: CodeDeps,
): Promise<{ sessionId: string; session: Session }> {
  const parsed = EmailSchema.safeParse(input.email);
  if (!parsed.success || !/^\d{6}$/.test(input.code)) throw new UnauthenticatedError(INVALID_CODE);
  const email = parsed.data;
  const now = deps.clock.now();
  const since = new Date(now.getTime() - minutes(SIGN_IN_LIMITS.codeMinutes)).toISOString();
  const live = (await deps.store.listSignInCodes(email, since)).filter(
    (candidate) => candidate.usedAt === undefined && Date.parse(candidate.expiresAt) > now.getTime(),
  );
  let exhausted = live.length > 0;
  for (const candidate of live) {
    const result = await matchCode(candidate, input.code, deps);
    if (result === 'match') {
      try {
        await deps.store.markSignInCodeUsed(email, candidate.codeId, now.toISOString());
      } catch (error) {
        if (error instanceof ConflictError) throw new UnauthenticatedError(INVALID_CODE);
        throw error;
      }
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
    if (result === 'wrong') exhausted = false;
  }
  if (exhausted) throw new TooManyRequestsError('验证码错误次数过多，请重新获取验证码。');
  throw new UnauthenticatedError(INVALID_CODE);
}

export interface SessionDeps {
  readonly store: Store;
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
