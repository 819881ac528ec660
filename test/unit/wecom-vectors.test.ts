import { getJsApiSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { verifyAndDecrypt } from '../../server/wecom/callback-crypto.js';
import { parseCallbackMessage, parseEnvelope } from '../../server/wecom/callback-events.js';
import { parseWeComXml } from '../../server/wecom/xml.js';

// The official vectors from ../shared/wecom-protocol.md §1.
const A = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};
const B = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
};
const A1 = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  encrypted: decodeURIComponent(
    'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
  ),
};
const A2 = {
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypted:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};
const A2_PLAINTEXT = [
  '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>',
  '<FromUserName><![CDATA[mycreate]]></FromUserName>',
  '<CreateTime>1409659813</CreateTime>',
  '<MsgType><![CDATA[text]]></MsgType>',
  '<Content><![CDATA[hello]]></Content>',
  '<MsgId>4561255354251345929</MsgId>',
  '<AgentID>218</AgentID>',
  '</xml>',
].join('\n');
const B1 = {
  msgSignature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  encrypted: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
};
const B2 = {
  msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypted:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'other';
  }
  return undefined;
}

describe('official callback vectors', () => {
  it('A1: URL verification decrypts the echostr', () => {
    expect(verifyAndDecrypt(A, A1)).toBe('1616140317555161061');
  });
  it('A2: event delivery decrypts to the documented XML', () => {
    expect(verifyAndDecrypt(A, A2)).toBe(A2_PLAINTEXT);
  });
  it('B1: URL verification', () => {
    expect(verifyAndDecrypt(B, B1)).toBe('1288432023552776189');
  });
  it('B2: event delivery', () => {
    expect(verifyAndDecrypt(B, B2)).toBe(
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
    );
  });
  it('J: JS-SDK signature', () => {
    const signed = getJsApiSignature({
      ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value',
    });
    expect(signed.signature).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('rejects a forged signature as unauthorized', () => {
    expect(codeOf(() => verifyAndDecrypt(A, { ...A2, msgSignature: '0'.repeat(40) }))).toBe('unauthorized');
    expect(codeOf(() => verifyAndDecrypt(A, { ...A2, nonce: '1' }))).toBe('unauthorized');
  });
  it('rejects a payload for another corp (right signature, wrong receiveid) as a bad request', () => {
    expect(codeOf(() => verifyAndDecrypt({ ...A, corpId: 'wwsomeoneelse' }, A2))).toBe('bad_request');
  });
  it('rejects a payload encrypted with another key as a bad request', () => {
    const wrongKey = { ...A, encodingAesKey: B.encodingAesKey };
    expect(codeOf(() => verifyAndDecrypt(wrongKey, A2))).toBe('bad_request');
  });
});

describe('callback XML', () => {
  it('reads Encrypt from the envelope and refuses malformed XML', () => {
    expect(
      parseEnvelope('<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>'),
    ).toBe('abc');
    expect(codeOf(() => parseEnvelope('<xml><Encrypt>'))).toBe('bad_request');
    expect(codeOf(() => parseEnvelope('not xml at all'))).toBe('bad_request');
    expect(codeOf(() => parseEnvelope('<xml><ToUserName>x</ToUserName></xml>'))).toBe('bad_request');
  });

  it('parses an add_external_contact event with CDATA, keeping ids as strings', () => {
    const m = parseCallbackMessage(
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID><State><![CDATA[0012]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>',
    );
    expect(m).toEqual({
      type: 'contact',
      event: expect.objectContaining({
        ChangeType: 'add_external_contact',
        UserID: 'zhangsan',
        ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
        State: '0012',
        WelcomeCode: 'WELCOMECODE',
        CreateTime: 1403610513,
      }),
    });
  });

  it.each([
    ['<MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList>', ['Jack', 'Rose']],
    ['<MemChangeList><Item>Jack</Item></MemChangeList>', ['Jack']],
    ['<MemChangeList><![CDATA[Jack,Rose]]></MemChangeList>', ['Jack', 'Rose']],
    ['', []],
  ])('reads MemChangeList in either form: %s', (list, expected) => {
    const m = parseCallbackMessage(
      `<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[CHAT_ID]]></ChatId><ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene>${list}<LastMemVer><![CDATA[9c3f]]></LastMemVer><CurMemVer>7121</CurMemVer></xml>`,
    );
    expect(m.type).toBe('chat');
    expect(m.type === 'chat' && m.event.MemChangeList).toEqual(expected);
    expect(m.type === 'chat' && m.event.CurMemVer).toBe('7121');
  });

  it('ignores events it does not handle and refuses handled ones with missing fields', () => {
    expect(
      parseCallbackMessage(
        '<xml><ToUserName>c</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>',
      ).type,
    ).toBe('ignored');
    expect(
      codeOf(() =>
        parseCallbackMessage(
          '<xml><ToUserName>c</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType></xml>',
        ),
      ),
    ).toBe('bad_request');
  });

  it('keeps CDATA verbatim, decodes entities in plain text, and ignores attributes', () => {
    expect(
      parseWeComXml(
        '<xml a="1"><N><![CDATA[ 张三 &amp; <b> ]]></N><T>  x &lt; y  </T><E></E><L><Item>1</Item></L></xml>',
      ),
    ).toEqual({ xml: { N: ' 张三 &amp; <b> ', T: 'x < y', E: '', L: { Item: ['1'] } } });
  });

  it('parses a staff text message to the app', () => {
    const m = parseCallbackMessage(A2_PLAINTEXT);
    expect(m).toEqual({
      type: 'staff_text',
      event: expect.objectContaining({ FromUserName: 'mycreate', Content: 'hello' }),
    });
  });
});
