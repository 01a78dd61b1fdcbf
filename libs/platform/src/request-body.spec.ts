import type { IncomingMessage } from 'node:http';
import { isJsonRequest, refuseNonJsonBody, refuseNonObjectJson, refuseProtoKeys } from './request-body';

const withType = (type?: string) => ({ headers: type ? { 'content-type': type } : {} }) as IncomingMessage;

describe('request bodies', () => {
  it('takes JSON by its content type, with or without a charset', () => {
    expect(isJsonRequest(withType('application/json'))).toBe(true);
    expect(isJsonRequest(withType('Application/JSON; charset=utf-8'))).toBe(true);
    expect(isJsonRequest(withType('text/plain'))).toBe(false);
    expect(isJsonRequest(withType('application/jsonp'))).toBe(false);
    expect(isJsonRequest(withType())).toBe(false);
  });

  it('refuses a body of another type with 415, but not an empty one', () => {
    expect(() => refuseNonJsonBody(withType('text/plain'), undefined, Buffer.from('{}'))).toThrow(
      expect.objectContaining({ status: 415, expose: true, message: 'The request body must be JSON, sent with Content-Type: application/json, not text/plain' }),
    );
    expect(() => refuseNonJsonBody(withType(), undefined, Buffer.alloc(0))).not.toThrow();
  });

  it('refuses JSON that is not an object, and leaves JSON that does not parse to the parser', () => {
    expect(() => refuseNonObjectJson(Buffer.from(' null '))).toThrow('The request body must be a JSON object, not null');
    expect(() => refuseNonObjectJson(Buffer.from('"x"'))).toThrow('The request body must be a JSON object, not a string');
    expect(() => refuseNonObjectJson(Buffer.from('true'))).toThrow('The request body must be a JSON object, not a boolean');
    expect(() => refuseNonObjectJson(Buffer.from('[{"code":"NA"}]'))).toThrow('The request body must be a JSON object, not a list');
    expect(() => refuseNonObjectJson(Buffer.from('nul'))).not.toThrow();
    expect(() => refuseNonObjectJson(Buffer.from('[1,'))).not.toThrow();
    expect(() => refuseNonObjectJson(Buffer.from('{"a":1}'))).not.toThrow();
  });

  it('refuses __proto__ and constructor keys at any depth, which validation would never see', () => {
    expect(() => JSON.parse('{"name":"x","__proto__":{"admin":true}}', refuseProtoKeys)).toThrow('property __proto__ should not exist');
    expect(() => JSON.parse('{"target":{"constructor":{}}}', refuseProtoKeys)).toThrow('property constructor should not exist');
    expect(JSON.parse('{"name":"__proto__"}', refuseProtoKeys)).toEqual({ name: '__proto__' });
  });
});
