/**
 * The outside channels, each in its documented format:
 * - e-mail over SMTP (nodemailer), configured by `ONEGRID_SMTP_URL` and `ONEGRID_SMTP_FROM`;
 * - WeCom group robot (企业微信群机器人): POST the robot's webhook URL
 *   `{"msgtype":"markdown","markdown":{"content":"…"}}`, success is `{"errcode":0}`;
 * - DingTalk group robot (钉钉自定义机器人): POST the webhook URL
 *   `{"msgtype":"markdown","markdown":{"title":"…","text":"…"}}`; with 加签 the URL takes
 *   `timestamp` and `sign` = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)); success `{"errcode":0}`;
 * - SMS gateway (`ONEGRID_SMS_URL`, bearer `ONEGRID_SMS_TOKEN`): POST `{"to","text","sign"}`, any 2xx.
 * A send either resolves or throws with a reason the queue keeps (never the URL's key).
 */
import crypto from 'node:crypto';
import type { NotifyChannel } from '@onegrid/domain';
import nodemailer from 'nodemailer';

export interface NotifyChannelsConfig {
  smtp?: { url: string; from: string };
  sms?: { url: string; token?: string; sign?: string };
  /** Base URL of the web app, for links in messages. */
  publicUrl?: string;
  /** Per-request timeout of robots and the SMS gateway (ms). */
  timeoutMs?: number;
}

export interface Message {
  title: string;
  body: string;
  link: string | null;
}

export type Sender = (target: string, m: Message) => Promise<void>;

/** A URL without its query (robot keys live there): what errors may name. */
const bare = (url: string) => url.replace(/\?.*$/, '');

async function postJson(url: string, body: unknown, timeoutMs: number, headers: Record<string, string> = {}) {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError' ? 'timed out' : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new Error(`${bare(url)}: ${why}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${bare(url)}: HTTP ${res.status}`);
  return text;
}

/** Robots answer 200 with `errcode` ≠ 0 when they refuse (bad key, rate limit). */
function robotOk(url: string, text: string) {
  let reply: { errcode?: number; errmsg?: string };
  try {
    reply = JSON.parse(text);
  } catch {
    throw new Error(`${bare(url)}: not a robot's reply`);
  }
  if (reply.errcode !== 0)
    throw new Error(`${bare(url)}: errcode ${reply.errcode} ${reply.errmsg ?? ''}`.trim());
}

export function dingtalkSignedUrl(url: string, secret: string, now = Date.now()): string {
  const sign = crypto.createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(now));
  u.searchParams.set('sign', sign);
  return u.toString();
}

export function createSenders(config: NotifyChannelsConfig): Partial<Record<NotifyChannel, Sender>> {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const linkOf = (m: Message) =>
    m.link && config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/${m.link}` : null;
  const senders: Partial<Record<NotifyChannel, Sender>> = {
    async wecom(target, m) {
      const link = linkOf(m);
      const content = `**${m.title}**\n${m.body}${link ? `\n[查看](${link})` : ''}`;
      robotOk(target, await postJson(target, { msgtype: 'markdown', markdown: { content } }, timeoutMs));
    },
    async dingtalk(target, m) {
      // The target is the webhook URL, or `{"url","secret"}` for a robot with 加签.
      let url = target;
      if (target.startsWith('{')) {
        const t = JSON.parse(target) as { url: string; secret?: string };
        url = t.secret ? dingtalkSignedUrl(t.url, t.secret) : t.url;
      }
      const link = linkOf(m);
      const text = `### ${m.title}\n\n${m.body}${link ? `\n\n[查看](${link})` : ''}`;
      robotOk(
        url,
        await postJson(url, { msgtype: 'markdown', markdown: { title: m.title, text } }, timeoutMs),
      );
    },
  };
  if (config.smtp) {
    const transport = nodemailer.createTransport(config.smtp.url);
    const from = config.smtp.from;
    senders.email = async (target, m) => {
      const link = linkOf(m);
      await transport.sendMail({
        from,
        to: target,
        subject: `[OneGrid] ${m.title}`,
        text: `${m.body}${link ? `\n\n${link}` : ''}\n\n— OneGrid 一网统管`,
      });
    };
  }
  if (config.sms) {
    const sms = config.sms;
    senders.sms = async (target, m) => {
      await postJson(
        sms.url,
        { to: target, text: `${m.title}：${m.body}`.slice(0, 300), sign: sms.sign ?? 'OneGrid' },
        timeoutMs,
        sms.token ? { authorization: `Bearer ${sms.token}` } : {},
      );
    };
  }
  return senders;
}
