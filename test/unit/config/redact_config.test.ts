import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/load_config.js';
import { redactConfig } from '../../../src/config/redact_config.js';

describe('redactConfig', () => {
  it('masks the passwords of both URIs and keeps everything else', () => {
    const config = resolveConfig({
      text:
        'source:\n  uri: mongodb://alice:hunter2@src:27017/?authSource=admin\n' +
        'destination:\n  uri: mongodb+srv://bob:p%40ss@dst.example.net/?authMechanismProperties=AWS_SESSION_TOKEN:tok\n',
      configDir: '/',
      cwd: '/',
      env: {},
    });
    const redacted = redactConfig(config);
    expect(redacted.source.uri).toBe('mongodb://alice:****@src:27017/?authSource=admin');
    expect(redacted.destination.uri).toBe('mongodb+srv://bob:****@dst.example.net/?authMechanismProperties=****');
    expect(redacted.copy).toEqual(config.copy);
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|p%40ss|tok\b/);
    expect(config.source.uri).toContain('hunter2');
  });

  it('masks api.token and keeps the other api keys', () => {
    const config = resolveConfig({
      text: 'source:\n  uri: mongodb://src\ndestination:\n  uri: mongodb://dst\napi:\n  host: 0.0.0.0\n  token: ${TOKEN}\n',
      configDir: '/',
      cwd: '/',
      env: { TOKEN: 'c0ffee-c0ffee-c0ffee' },
    });
    const redacted = redactConfig(config);
    expect(redacted.api).toEqual({ host: '0.0.0.0', port: 27182, token: '****' });
    expect(JSON.stringify(redacted)).not.toContain('c0ffee');
    expect(config.api.token).toBe('c0ffee-c0ffee-c0ffee');
  });
});
