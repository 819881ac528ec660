import * as wecomCrypto from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, signature } from '../../simulator/crypto.js';

const A = {
  token: 'QDG6eK',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
  get: {
    msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    reply: '1616140317555161061',
  },
  post: {
    msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
    timestamp: '1409659813',
    nonce: '1372623149',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    plaintext: [
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>',
      '<FromUserName><![CDATA[mycreate]]></FromUserName>',
      '<CreateTime>1409659813</CreateTime>',
      '<MsgType><![CDATA[text]]></MsgType>',
      '<Content><![CDATA[hello]]></Content>',
      '<MsgId>4561255354251345929</MsgId>',
      '<AgentID>218</AgentID>',
      '</xml>',
    ].join('\n'),
  },
};

const B = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  key: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  receiveId: 'ww1436e0e65a779aee',
  msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
  plaintext:
    '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
};

describe('simulator callback crypto', () => {
  it('signs and decrypts official vector A (URL verification and event)', () => {
    expect(signature(A.token, A.get.timestamp, A.get.nonce, A.get.echostr)).toBe(A.get.msgSignature);
    expect(decrypt(A.key, A.get.echostr)).toEqual({ message: A.get.reply, receiveId: A.receiveId });

    expect(signature(A.token, A.post.timestamp, A.post.nonce, A.post.encrypt)).toBe(A.post.msgSignature);
    expect(decrypt(A.key, A.post.encrypt)).toEqual({ message: A.post.plaintext, receiveId: A.receiveId });
  });

  it('round-trips vector A through its own encrypt, readable by @wecom/crypto', () => {
    const encrypted = encrypt(A.key, A.post.plaintext, A.receiveId);
    expect(decrypt(A.key, encrypted)).toEqual({ message: A.post.plaintext, receiveId: A.receiveId });
    const theirs = wecomCrypto.decrypt(A.key, encrypted);
    expect(theirs.message).toBe(A.post.plaintext);
    expect(theirs.id).toBe(A.receiveId);
    expect(signature(A.token, '1', '2', encrypted)).toBe(
      wecomCrypto.getSignature(A.token, '1', '2', encrypted),
    );
  });

  it('produces the same ciphertext as @wecom/crypto for the same random bytes', () => {
    const random = Buffer.alloc(16, 7);
    expect(encrypt(A.key, '你好 hello', A.receiveId, random)).toBe(
      wecomCrypto.encrypt(A.key, '你好 hello', A.receiveId, random),
    );
  });

  it('decrypts official vector B with multi-byte content', () => {
    expect(signature(B.token, B.timestamp, B.nonce, B.encrypt)).toBe(B.msgSignature);
    expect(decrypt(B.key, B.encrypt)).toEqual({ message: B.plaintext, receiveId: B.receiveId });
  });

  it('rejects a ciphertext made with another key instead of returning garbage', () => {
    const encrypted = encrypt(A.key, 'x'.repeat(100), A.receiveId);
    expect(() => decrypt(B.key, encrypted)).toThrow();
  });
});
