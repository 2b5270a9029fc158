import type { Outcome } from '../../model/outcome.js';

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/;

/** Maps a socket or TLS error to its outcome class (DESIGN.md §3). */
export function outcomeOfError(error: unknown): Outcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'error';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'dns';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return TLS_CODE.test(code) ? 'tls' : 'error';
  }
}
