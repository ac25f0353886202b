import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** Field names whose values never reach a log line, at any depth up to three. */
const secretKeys = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'ticket',
  'secret',
  'clientSecret',
  'client_secret',
  'totpSecret',
  'code_verifier',
  'passwordHash',
];

export const redactPaths = secretKeys.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*'), join('*.*.*')];
});

/** Query parameters that carry credentials (stream tickets, OAuth codes and states). */
const secretParams =
  /^(ticket|token|access_token|code|state|password|secret|client_secret|api_key|id_token)$/i;

/** The URL with the values of credential-carrying query parameters replaced. */
export function scrubUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is kept as it came
      }
      return eq >= 0 && secretParams.test(decoded) ? `${name}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Structured JSON logs; pretty only on a terminal. Child loggers carry a category (`http`, `db`, …).
 * Secrets are redacted from every line: authorisation headers, cookies, passwords, tokens,
 * tickets, secrets (by field name), and credential query parameters in request URLs.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logPretty'>,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: redactPaths, censor: '[Redacted]' },
    serializers: {
      // Fastify takes these over its own: the request's URL without credentials, no headers.
      req: (req: RequestLike) => ({
        method: req.method,
        url: scrubUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    ...(config.logPretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
