/**
 * Sending mail with nodemailer: over SMTP when `TALKREEL_SMTP_URL` is set, otherwise each message
 * is written as an `.eml` file under `<dataDir>/mail/` (and logged), so a newcomer sees what would
 * have been sent without configuring anything.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../platform/logger.ts';
import type { MailMessage } from './mail.ts';

export type MailResult = { readonly messageId: string; readonly file?: string | undefined };

export interface Mailer {
  /** `smtp://host:port` (credentials hidden) or `files:<dir>`. */
  readonly describe: string;
  /** Throws `MailError` when the message was not accepted. */
  send(message: MailMessage): Promise<MailResult>;
  close(): void;
}

/** A send that failed; `permanent` when the server refused it for good (5xx). */
export class MailError extends Error {
  override readonly name = 'MailError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type MailerOptions = {
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly timeoutMs?: number | undefined;
};

export function createMailer(opts: MailerOptions): Mailer {
  if (opts.smtpUrl) return smtpMailer(opts, opts.smtpUrl);
  return fileMailer(opts, path.join(opts.dataDir, 'mail'));
}

function smtpMailer(opts: MailerOptions, url: string): Mailer {
  const timeout = opts.timeoutMs ?? 30_000;
  const transport: Transporter = nodemailer.createTransport(url, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as object);
  const shown = new URL(url);
  return {
    describe: `${shown.protocol}//${shown.host}`,
    async send(message) {
      try {
        const info = (await transport.sendMail({ from: opts.from, ...message })) as { messageId: string };
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
        throw new MailError(`SMTP: ${e.message ?? String(err)}`, permanent, { cause: err });
      }
    },
    close: () => transport.close(),
  };
}

function fileMailer(opts: MailerOptions, dir: string): Mailer {
  const transport: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: `files:${dir}`,
    async send(message) {
      const info = (await transport.sendMail({ from: opts.from, ...message })) as {
        messageId: string;
        message: Buffer;
      };
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      const file = path.join(dir, name);
      await fs.writeFile(`${file}.tmp`, info.message);
      await fs.rename(`${file}.tmp`, file);
      opts.logger.info({ to: message.to, subject: message.subject, file }, 'mail written (TALKREEL_SMTP_URL unset)');
      return { messageId: info.messageId, file };
    },
    close: () => transport.close(),
  };
}
