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
});
