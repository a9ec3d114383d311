import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** One `addCredentials(name, password, domain?)` entry. */
interface Credential {
  name: string;
  password: string;
  domain: string | undefined;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** A scheme that succeeded, kept to authorize later requests up front. */
interface Authorization {
  origin: string;
  /** Requests whose path starts with this get the authorization up front. */
  path: string;
  credential: Credential;
  scheme: 'basic' | 'digest';
  digest?: DigestState | undefined;
}

interface DigestState {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: string;
  qop: 'auth' | undefined;
  nc: number;
}

/** An answer to a challenge: the header to send and how to remember it if it works. */
export interface Answer {
  header: string;
  authorization: Authorization;
}

const hashes: Record<string, (data: Uint8Array) => Uint8Array> = { md5, 'sha-256': sha256 };

/**
 * httplib2's credentials: Basic and Digest (MD5, MD5-sess, SHA-256, SHA-256-sess; qop=auth; nc counting;
 * opaque; stale nonces), answered after a 401 challenge, then sent up front for the same origin and
 * paths under the one that succeeded.
 */
export class Credentials {
  #credentials: Credential[] = [];
  #authorizations: Authorization[] = [];

  get size(): number {
    return this.#credentials.length;
  }

  add(name: string, password: string, domain?: string): void {
    this.#credentials.push({ name, password, domain: domain?.toLowerCase() });
  }

  clear(): void {
    this.#credentials = [];
    this.#authorizations = [];
  }

  /** The authorization header to send up front to `url`, if an earlier exchange earned one. */
  upFront(url: URL, method: string): Authorization | undefined {
    if (this.#authorizations.length === 0) return undefined;
    let best: Authorization | undefined;
    for (const authorization of this.#authorizations) {
      if (authorization.origin !== url.origin || !url.pathname.startsWith(authorization.path)) continue;
      if (best === undefined || authorization.path.length > best.path.length) best = authorization;
    }
    void method;
    return best;
  }

  /** The `authorization` value for a remembered authorization (a Digest one counts its nonce use). */
  header(authorization: Authorization, url: URL, method: string): string {
    if (authorization.scheme === 'basic') return basic(authorization.credential);
    return digest(authorization.credential, authorization.digest!, url, method);
  }

  /**
   * Answers the challenges of a 401 with the first credential for the host, Digest before Basic as
   * httplib2 does. `tried` holds the schemes already answered in this exchange; a stale Digest nonce
   * may be answered once more.
   */
  answer(challenges: Challenge[], url: URL, method: string, tried: Set<string>): Answer | undefined {
    const credential = this.#credentials.find(
      ({ domain }) =>
        domain === undefined || domain === url.hostname.toLowerCase() || domain === url.host.toLowerCase(),
    );
    if (credential === undefined) return undefined;
    for (const challenge of challenges) {
      if (challenge.scheme !== 'digest') continue;
      const stale = challenge.params.stale?.toLowerCase() === 'true';
      if (tried.has('digest') && !(stale && !tried.has('digest-stale'))) continue;
      const algorithm = (challenge.params.algorithm ?? 'MD5').toUpperCase();
      if (hashes[algorithm.replace(/-SESS$/, '').toLowerCase()] === undefined) continue;
      const qops = (challenge.params.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
      if (challenge.params.qop !== undefined && !qops.includes('auth')) continue;
      tried.add(tried.has('digest') ? 'digest-stale' : 'digest');
      const state: DigestState = {
        realm: challenge.params.realm ?? '',
        nonce: challenge.params.nonce ?? '',
        opaque: challenge.params.opaque,
        algorithm,
        qop: challenge.params.qop === undefined ? undefined : 'auth',
        nc: 0,
      };
      const authorization = this.#scope(url, credential, 'digest', state);
      return { header: digest(credential, state, url, method), authorization };
    }
    for (const challenge of challenges) {
      if (challenge.scheme !== 'basic' || tried.has('basic')) continue;
      tried.add('basic');
      const authorization = this.#scope(url, credential, 'basic');
      return { header: basic(credential), authorization };
    }
    return undefined;
  }

  /** Remembers an authorization that worked, replacing any for the same scope. */
  remember(authorization: Authorization): void {
    const index = this.#authorizations.findIndex(
      (each) => each.origin === authorization.origin && each.path === authorization.path,
    );
    if (index === -1) this.#authorizations.push(authorization);
    else this.#authorizations[index] = authorization;
  }

  /** Forgets an authorization the server refused. */
  forget(authorization: Authorization): void {
    this.#authorizations = this.#authorizations.filter((each) => each !== authorization);
  }

  /** Takes the server's `nextnonce` (Authentication-Info) for the next request. */
  nextNonce(authorization: Authorization, info: string | undefined): void {
    if (info === undefined || authorization.digest === undefined) return;
    const next = parseParams(info).nextnonce;
    if (next !== undefined) {
      authorization.digest.nonce = next;
      authorization.digest.nc = 0;
    }
  }

  #scope(
    url: URL,
    credential: Credential,
    scheme: 'basic' | 'digest',
    digestState?: DigestState,
  ): Authorization {
    const path = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1) || '/';
    return { origin: url.origin, path, credential, scheme, digest: digestState };
  }
}

function basic({ name, password }: Credential): string {
  const bytes = utf8ToBytes(`${name}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

function digest(credential: Credential, state: DigestState, url: URL, method: string): string {
  const base = state.algorithm.replace(/-SESS$/, '').toLowerCase();
  const hashFn = hashes[base]!;
  const h = (text: string) => bytesToHex(hashFn(utf8ToBytes(text)));
  const uri = url.pathname + url.search;
  const cnonce = bytesToHex(crypto.getRandomValues(new Uint8Array(8)));
  state.nc++;
  const nc = state.nc.toString(16).padStart(8, '0');
  let ha1 = h(`${credential.name}:${state.realm}:${credential.password}`);
  if (state.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${state.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const response =
    state.qop === 'auth'
      ? h(`${ha1}:${state.nonce}:${nc}:${cnonce}:auth:${ha2}`)
      : h(`${ha1}:${state.nonce}:${ha2}`);
  const params = [
    `username="${quote(credential.name)}"`,
    `realm="${quote(state.realm)}"`,
    `nonce="${quote(state.nonce)}"`,
    `uri="${quote(uri)}"`,
    `algorithm=${state.algorithm}`,
    `response="${response}"`,
  ];
  if (state.qop === 'auth') params.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  if (state.opaque !== undefined) params.push(`opaque="${quote(state.opaque)}"`);
  return `Digest ${params.join(', ')}`;
}

function quote(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

// A challenge list: `Digest realm="a", nonce="b", Basic realm="c"`: schemes are tokens not followed
// by `=`; parameters are `name=token` or `name="quoted string"`.
const challengeToken = /\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?/y;

/** Parses every `WWW-Authenticate` field value into challenges with lower-case schemes and names. */
export function parseChallenges(values: string[]): Challenge[] {
  const challenges: Challenge[] = [];
  for (const value of values) {
    let current: Challenge | undefined;
    challengeToken.lastIndex = 0;
    for (;;) {
      const start = challengeToken.lastIndex;
      if (start >= value.length) break;
      const match = challengeToken.exec(value);
      if (match === null || match[0].length === 0) break;
      const [, name, raw] = match;
      if (raw === undefined) {
        // A token68 (`Negotiate abc==`) after a scheme is kept as a parameter-less value.
        if (current !== undefined && Object.keys(current.params).length === 0 && /=+$/.test(name!)) continue;
        current = { scheme: name!.toLowerCase(), params: {} };
        challenges.push(current);
      } else if (current !== undefined) {
        current.params[name!.toLowerCase()] = unquote(raw);
      }
    }
  }
  return challenges;
}

function parseParams(value: string): Record<string, string> {
  const [challenge] = parseChallenges([`x ${value}`]);
  return challenge?.params ?? {};
}

function unquote(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
}
