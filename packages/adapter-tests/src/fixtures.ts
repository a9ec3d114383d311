import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// src/ and dist/ both sit one level below the package root, so this resolves from either.
const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));

function read(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

/** Paths and PEM contents of one TLS certificate and its key. */
export interface CertificateFixture {
  /** Absolute path of the PEM certificate. */
  readonly certPath: string;
  /** Absolute path of the PEM private key. */
  readonly keyPath: string;
  /** The PEM certificate. */
  readonly cert: string;
  /** The PEM private key. */
  readonly key: string;
}

/** The test certificates the suite's HTTPS servers use. */
export interface Fixtures {
  /** Absolute path of the fixtures folder (with a trailing separator). */
  readonly dir: string;
  /** Absolute path of the test CA certificate. */
  readonly caPath: string;
  /** The test CA certificate (PEM); pass it as `tls.ca` to trust `server`. */
  readonly ca: string;
  /** A certificate for `localhost`, `127.0.0.1` and `::1`, signed by `ca`. */
  readonly server: CertificateFixture;
  /** A self-signed certificate that no client trusts. */
  readonly untrusted: CertificateFixture;
}

function certificate(name: string): CertificateFixture {
  return {
    certPath: `${dir}${name}.pem`,
    keyPath: `${dir}${name}-key.pem`,
    cert: read(`${name}.pem`),
    key: read(`${name}-key.pem`),
  };
}

/**
 * The suite's TLS fixtures, for adapter authors who want to reuse them in their own tests.
 * Test-only certificates: never trust them outside tests.
 *
 * @example
 * ```ts
 * import { fixtures } from '@asynchttp/adapter-tests';
 * const adapter = undiciAdapter({ ca: fixtures.ca });
 * ```
 */
export const fixtures: Fixtures = {
  dir,
  caPath: `${dir}ca.pem`,
  ca: read('ca.pem'),
  server: certificate('server'),
  untrusted: certificate('untrusted'),
};
