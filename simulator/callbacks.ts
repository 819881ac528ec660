import { encrypt, randomNonce, signature } from './crypto.js';
import { ControlError } from './errors.js';
import type { DeliveryRecord, SimulatorState } from './state.js';

export type XmlNode = { cdata: string } | { number: number } | { raw: string } | { items: string[] };

export const cdata = (value: string): XmlNode => ({ cdata: value });
export const num = (value: number): XmlNode => ({ number: value });

function cdataText(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function nodeText(node: XmlNode): string {
  if ('cdata' in node) return cdataText(node.cdata);
  if ('number' in node) return String(node.number);
  if ('raw' in node) return node.raw;
  return node.items.map((item) => `<Item>${cdataText(item)}</Item>`).join('');
}

export function buildXml(fields: Array<[string, XmlNode]>): string {
  return `<xml>${fields.map(([name, node]) => `<${name}>${nodeText(node)}</${name}>`).join('')}</xml>`;
}

export interface Delivery {
  deliveryId: number;
  /** the product's HTTP status; null when nothing answered */
  status: number | null;
  body: string;
  error?: string;
  plaintext: string;
}

export interface EncryptOptions {
  badSignature?: boolean;
  receiveId?: string;
  timestamp?: string;
  nonce?: string;
}

const DELIVERY_TIMEOUT_MS = 10_000;

/** Signs, encrypts and POSTs callbacks to the product the way WeCom does. */
export class CallbackSender {
  private nextId = 1;

  constructor(private readonly state: SimulatorState) {}

  private envelope(plaintext: string, options: EncryptOptions) {
    const { config, clock } = this.state;
    const timestamp = options.timestamp ?? String(clock.nowSeconds());
    const nonce = options.nonce ?? randomNonce();
    const encrypted = encrypt(config.encodingAesKey, plaintext, options.receiveId ?? config.corpId);
    let msgSignature = signature(config.token, timestamp, nonce, encrypted);
    if (options.badSignature) msgSignature = msgSignature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const body = buildXml([
      ['ToUserName', cdata(config.corpId)],
      ['AgentID', cdata(String(config.agentId))],
      ['Encrypt', cdata(encrypted)],
    ]);
    return { query: { msg_signature: msgSignature, timestamp, nonce }, body };
  }

  private callbackUrl(): string {
    const url = this.state.callbackUrl;
    if (url === undefined)
      throw new ControlError(409, 'no callback URL set (PUT /sim/config { callbackUrl })');
    return url;
  }

  async send(plaintext: string, options: EncryptOptions = {}): Promise<Delivery> {
    const url = this.callbackUrl();
    const { query, body } = this.envelope(plaintext, options);
    return this.post(url, query, body, plaintext);
  }

  async redeliver(deliveryId: number | undefined, verbatim: boolean): Promise<Delivery> {
    const { deliveries } = this.state;
    const original =
      deliveryId === undefined
        ? deliveries[deliveries.length - 1]
        : deliveries.find((d) => d.id === deliveryId);
    if (!original) throw new ControlError(404, 'no such delivery');
    if (verbatim) return this.post(original.url, original.query, original.body, original.plaintext);
    return this.send(original.plaintext);
  }

  /** WeCom's URL verification: GET with an encrypted echostr; the product must answer the plaintext. */
  async verifyUrl(
    echo: string = randomNonce(),
  ): Promise<{ ok: boolean; status: number | null; body: string }> {
    const url = new URL(this.callbackUrl());
    const { config, clock } = this.state;
    const timestamp = String(clock.nowSeconds());
    const nonce = randomNonce();
    const echostr = encrypt(config.encodingAesKey, echo, config.corpId);
    url.searchParams.set('msg_signature', signature(config.token, timestamp, nonce, echostr));
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('nonce', nonce);
    url.searchParams.set('echostr', echostr);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
      const body = await res.text();
      return { ok: res.status === 200 && body === echo, status: res.status, body };
    } catch (err) {
      return { ok: false, status: null, body: String(err) };
    }
  }

  private async post(
    url: string,
    query: DeliveryRecord['query'],
    body: string,
    plaintext: string,
  ): Promise<Delivery> {
    const target = new URL(url);
    for (const [key, value] of Object.entries(query)) target.searchParams.set(key, value);
    const record: DeliveryRecord = {
      id: this.nextId++,
      url,
      query,
      body,
      plaintext,
      status: null,
      responseBody: '',
      at: this.state.clock.nowMs(),
    };
    this.state.deliveries.push(record);
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      record.status = res.status;
      record.responseBody = await res.text();
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    return {
      deliveryId: record.id,
      status: record.status,
      body: record.responseBody,
      ...(record.error !== undefined ? { error: record.error } : {}),
      plaintext,
    };
  }
}
