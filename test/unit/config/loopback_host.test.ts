import { describe, expect, it } from '@jest/globals';
import { isLoopbackHost } from '../../../src/config/loopback_host.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1'],
    ['127.255.10.3'],
    ['localhost'],
    ['LOCALHOST'],
    ['localhost.'],
    ['::1'],
    ['[::1]'],
    ['0:0:0:0:0:0:0:1'],
    ['0000:0000::0001'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    [' 127.0.0.1 '],
  ])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    ['0.0.0.0'],
    ['::'],
    ['[::]'],
    ['10.0.0.5'],
    ['128.0.0.1'],
    ['1.127.0.0'],
    ['::2'],
    ['::ffff:10.0.0.1'],
    ['::ffff:0:127.0.0.1'],
    ['1::1'],
    ['fe80::1%lo0'],
    ['localhost.example.com'],
    ['mylocalhost'],
    ['sync-host'],
    [''],
    ['127.0.0.1.nip.io'],
  ])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
