/**
 * Sending a CLI verb to a running Talkreel over its admin HTTP API: used when the server holds the
 * data directory's lock, so `talkreel import schedule.xml` works beside `npm start`.
 */

/** A request body: JSON, or raw text of a content type (a schedule file). */
export type RemoteBody = { readonly json: unknown } | { readonly text: string; readonly type: string };

/**
 * One admin-authenticated call; resolves with the parsed JSON answer of a 2xx. Throws
 * {@link ServerUnreachable} when nothing answers, {@link RemoteError} for any other status.
 */
export type RemoteCall = (method: 'GET' | 'POST', path: string, body?: RemoteBody) => Promise<unknown>;

/** Nothing answered at the server's address (no server, wrong TALKREEL_PUBLIC_URL). */
export class ServerUnreachable extends Error {
  override readonly name = 'ServerUnreachable';
}

/** The server answered with an error: its `{error:{code,message,details}}` envelope, kept. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/**
 * Calls to the Talkreel at `base` (TALKREEL_PUBLIC_URL) with the admin token.
 * @param timeoutMs give up on one call after this long (an import or a poll of every source may take a while) @default 300000
 */
export function remoteCall(base: string, token: string, timeoutMs = 300_000): RemoteCall {
  return async (method, urlPath, body) => {
    const payload =
      body === undefined
        ? undefined
        : 'json' in body
          ? { text: JSON.stringify(body.json), type: 'application/json' }
          : body;
    let res: Response;
    try {
      res = await fetch(`${base}${urlPath}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': payload.type } : {}),
        },
        body: payload?.text,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ServerUnreachable(
        `no server answered at ${base} (set TALKREEL_PUBLIC_URL to the running server's address): ${(err as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok && parsed !== undefined) return parsed;
    const envelope = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    if (!envelope || typeof envelope.message !== 'string')
      throw new RemoteError(
        res.status,
        'UNEXPECTED_ANSWER',
        `the server at ${base} answered ${method} ${urlPath} with ${res.status} and no Talkreel JSON (is TALKREEL_PUBLIC_URL a Talkreel?)`,
        undefined,
      );
    const code = typeof envelope.code === 'string' ? envelope.code : 'UNKNOWN';
    const hint = code === 'UNAUTHORIZED' ? ` (TALKREEL_ADMIN_TOKEN must be the server's, at ${base})` : '';
    throw new RemoteError(res.status, code, `${envelope.message}${hint}`, envelope.details);
  };
}
