/**
 * The mails Talkreel sends: the double opt-in confirmation and one per notification. Each has a
 * plain-text and an HTML part, a one-click unsubscribe link and the RFC 8058 headers
 * (`List-Unsubscribe` with the HTTPS link, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
 * Every value from the catalogue or the internet is escaped in the HTML part.
 */
import { escapeUTF8 as esc } from 'entities';
import type { DeliveryContent, EmailSubscription, SubscriptionFilter } from './types.ts';
import { talkPageUrl, type Links } from './webhook.ts';

export type MailMessage = {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
};

export const confirmUrl = (links: Links, token: string): string =>
  `${links.publicUrl}/subscriptions/confirm?token=${encodeURIComponent(token)}`;
export const unsubscribeUrl = (links: Links, token: string): string =>
  `${links.publicUrl}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;

/** What a filter follows, in words: `the talk "X"`, `talks by Y`, `talks of Z`, `talks mentioned in <url>`. */
export function describeFilter(f: SubscriptionFilter): string {
  switch (f.kind) {
    case 'talk':
      return `the talk “${f.label}”`;
    case 'speaker':
      return `talks by ${f.label}`;
    case 'event':
      return `talks of ${f.label}`;
    case 'post':
      return `talks mentioned in ${f.label}`;
  }
}

export function confirmationMail(links: Links, sub: EmailSubscription): MailMessage {
  const what = describeFilter(sub.filter);
  const confirm = confirmUrl(links, sub.confirmToken ?? '');
  const text = [
    `Someone (hopefully you) asked Talkreel to email ${sub.email} when there is news about ${what}:`,
    `${sub.types.join(', ')}.`,
    '',
    `To confirm, open: ${confirm}`,
    '',
    'If you did not ask for this, ignore this mail: nothing will be sent unless you confirm.',
  ].join('\n');
  const html = `<p>Someone (hopefully you) asked Talkreel to email ${esc(sub.email)} when there is news about ${esc(what)}.</p>
<p><a href="${esc(confirm)}">Confirm the subscription</a></p>
<p>If you did not ask for this, ignore this mail: nothing will be sent unless you confirm.</p>`;
  return withFooter(links, sub, { to: sub.email, subject: `Confirm: news about ${what}`, text, html });
}

export function notificationMail(links: Links, sub: EmailSubscription, content: DeliveryContent): MailMessage {
  if (!('talk' in content)) return confirmationMail(links, sub);
  const talk = content.talk;
  const page = talkPageUrl(links, talk.id);
  const by = talk.speakers.length > 0 ? ` by ${talk.speakers.join(', ')}` : '';
  const at = talk.eventName ? ` (${talk.eventName})` : '';
  let subject: string;
  let lines: string[];
  let body: string;
  switch (content.type) {
    case 'recording.published':
      subject = `Recording out: ${talk.title}`;
      lines = [
        `The recording of “${talk.title}”${by}${at} is online:`,
        content.recording.url,
        '',
        `Talk page: ${page}`,
      ];
      body = `<p>The recording of <a href="${esc(page)}">${esc(talk.title)}</a>${esc(by)}${esc(at)} is online:</p>
<p><a href="${esc(content.recording.url)}">${esc(content.recording.url)}</a></p>`;
      break;
    case 'recording.withdrawn':
      subject = `Recording withdrawn: ${talk.title}`;
      lines = [`The recording of “${talk.title}”${by}${at} was withdrawn (${content.reason}).`, `Talk page: ${page}`];
      body = `<p>The recording of <a href="${esc(page)}">${esc(talk.title)}</a>${esc(by)}${esc(at)} was withdrawn (${esc(content.reason)}).</p>`;
      break;
    case 'talk.mentioned': {
      const post = content.post.url ?? content.post.title ?? 'a recap post';
      subject = `Mentioned: ${talk.title}`;
      lines = [`“${talk.title}”${by}${at} is mentioned in ${post}.`, `Talk page: ${page}`];
      body = `<p><a href="${esc(page)}">${esc(talk.title)}</a>${esc(by)}${esc(at)} is mentioned in ${
        content.post.url ? `<a href="${esc(content.post.url)}">${esc(post)}</a>` : esc(post)
      }.</p>`;
      break;
    }
    default:
      subject = talk.title;
      lines = [page];
      body = `<p><a href="${esc(page)}">${esc(talk.title)}</a></p>`;
  }
  return withFooter(links, sub, { to: sub.email, subject: oneLine(subject), text: lines.join('\n'), html: body });
}

function withFooter(
  links: Links,
  sub: EmailSubscription,
  m: { to: string; subject: string; text: string; html: string },
): MailMessage {
  const unsubscribe = unsubscribeUrl(links, sub.unsubscribeToken);
  const why = `You get this mail because ${sub.email} subscribed to ${describeFilter(sub.filter)} on Talkreel.`;
  return {
    to: m.to,
    subject: oneLine(m.subject),
    text: `${m.text}\n\n--\n${why}\nUnsubscribe (one click): ${unsubscribe}\n`,
    html: `<!doctype html><html><body>${m.html}
<hr><p style="color:#555;font-size:90%">${esc(why)} <a href="${esc(unsubscribe)}">Unsubscribe</a> (one click).</p></body></html>`,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** Subjects are one line of bounded length (titles come from the internet). */
function oneLine(s: string): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}…` : flat;
}
