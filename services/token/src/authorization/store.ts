import type { Role } from '../shared/subject.js';

/** Who a pair is issued to (contracts: tokenOps.issueAuthorization). */
export interface AuthorizationSubject {
  accountId: string;
  /** The token's `user_name`: the e-mail, else the phone, else `<provider>:<id>`. */
  userName: string;
  roles: Role[];
}

/**
 * One sign-in: a refresh token and the access tokens made from it, kept under the refresh
 * token's uuid until that token expires. `/validate/jwt/refresh` answers `userName` as `email`.
 */
export interface AuthorizationSession extends AuthorizationSubject {
  /** The refresh token's uuid. */
  sessionId: string;
  /** contracts' tokenId of the refresh token. */
  tokenId: string;
  /** The refresh token's `exp` (seconds). */
  exp: number;
}

/** An access token of a session. */
export interface AccessGrant {
  uuid: string;
  tokenId: string;
  exp: number;
}

/** What an access token's uuid leads to: its session, and the one token it names. */
export interface AccessRecord {
  sessionId: string;
  tokenId: string;
  exp: number;
}

/** A token that died with its session: what its revocation record needs. */
export interface EndedToken {
  tokenId: string;
  exp: number;
}

export interface EndedSession {
  refresh: EndedToken;
  /** The session's access tokens that had not expired. */
  access: EndedToken[];
}

/** What the authorization capability needs from storage (the domain defines it; Redis implements it). */
export interface AuthorizationStore {
  /** Stores a new session with its first access token, atomically. */
  start(session: AuthorizationSession, access: AccessGrant): Promise<void>;
  session(sessionId: string): Promise<AuthorizationSession | undefined>;
  access(uuid: string): Promise<AccessRecord | undefined>;
  /**
   * Adds an access token to a session, atomically against `end`: false when the session is gone
   * (revoked or expired), and then nothing is stored. So every access token of a session that
   * gets revoked is known to `end`.
   */
  addAccess(sessionId: string, access: AccessGrant): Promise<boolean>;
  /** True when the session has the access token `tokenId`. */
  hasAccess(sessionId: string, tokenId: string): Promise<boolean>;
  /** Deletes the session and answers its tokens; undefined when it was gone. Of two concurrent calls one wins. */
  end(sessionId: string): Promise<EndedSession | undefined>;
}
