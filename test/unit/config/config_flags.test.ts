import { describe, expect, it } from '@jest/globals';
import { CONFIG_FLAGS, configFlagOptions, flagForKeyPath, overridesFromArgv } from '../../../src/config/config_flags.js';

describe('config flags', () => {
  it('are derived from the schema', () => {
    expect(CONFIG_FLAGS.map(({ flag, keyPath }) => [flag, keyPath])).toEqual([
      ['id', 'id'],
      ['port', 'api.port'],
      ['log-level', 'logging.level'],
      ['log-format', 'logging.format'],
      ['log-file', 'logging.file'],
    ]);
  });

  it('describe themselves with the key and its choices', () => {
    const options = configFlagOptions();
    expect(options['log-level']).toMatchObject({ type: 'string', choices: ['error', 'warn', 'info', 'debug'] });
    expect(options['log-level']?.describe).toMatch(/^Overrides logging\.level\. /);
  });

  it('turn parsed argv into overrides by key path, skipping absent flags', () => {
    expect(overridesFromArgv({ 'log-level': 'debug', port: '1', config: 'x.yaml', _: [] })).toEqual({
      'logging.level': 'debug',
      'api.port': '1',
    });
    expect(flagForKeyPath('api.port')).toBe('port');
    expect(flagForKeyPath('copy.parallelism')).toBeUndefined();
  });
});
