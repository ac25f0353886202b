/**
 * Ed25519 keys and signatures for the exchange (node:crypto). Public keys travel as base64url of
 * their 32 raw bytes (a JWK's `x`); a key id is the first 32 hex digits of SHA-256 over those 32
 * bytes. The signature covers the exact request body bytes (docs/federation.md).
 */
import crypto from 'node:crypto';

export interface KeyPair {
  publicKey: string;
  privateKey: string;
  keyId: string;
}

export function keyIdOf(publicKey: string): string {
  return crypto.createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 32);
}

export function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  return {
    publicKey: x,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    keyId: keyIdOf(x),
  };
}

/** A public key as given by a peer's administrator: 32 bytes in base64url (or base64). */
export function parsePublicKey(text: string): string | undefined {
  const t = text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]{43}$/.test(t)) return undefined;
  try {
    crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: t }, format: 'jwk' });
    return t;
  } catch {
    return undefined;
  }
}

export function sign(privateKeyPem: string, bytes: Buffer): string {
  return crypto.sign(null, bytes, crypto.createPrivateKey(privateKeyPem)).toString('base64');
}

export function verify(publicKey: string, bytes: Buffer, signature: string): boolean {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return crypto.verify(null, bytes, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The signature header's value, `ed25519=<base64>`, split; undefined when malformed. */
export function signatureOf(header: string | undefined): string | undefined {
  const m = /^ed25519=([A-Za-z0-9+/]{86}==)$/.exec(header?.trim() ?? '');
  return m?.[1];
}
