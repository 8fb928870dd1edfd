import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { childLogger, closeLogger, createLogger, type LoggerOptions } from '../../../src/log/logger.js';
import { countField, elapsedField, nsField } from '../../../src/log/fields.js';

function capture(options: Omit<LoggerOptions, 'stream'>) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ ...options, stream });
  return { logger, lines: async () => { await closeLogger(logger); return chunks.join('').split('\n').filter(Boolean); } };
}

describe('createLogger', () => {
  it('writes JSON lines when the stream is not a terminal, with the component and fields', async () => {
    const { logger, lines } = capture({ level: 'info', format: 'text', isTty: false });
    childLogger(logger, 'copy').info('Partition copied.', { ...nsField({ db: 'db', coll: 'c' }), ...countField(10) });
    const [line] = await lines();
    expect(JSON.parse(line ?? '')).toMatchObject({
      level: 'info',
      message: 'Partition copied.',
      component: 'copy',
      ns: 'db.c',
      count: 10,
      timestamp: expect.any(String),
    });
  });

  it('writes readable text on a terminal', async () => {
    const { logger, lines } = capture({ level: 'info', format: 'text', isTty: true });
    childLogger(logger, 'copy').warn('Batch retried.', { ns: 'db.c', reason: 'network error' });
    const [line] = await lines();
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+ warn  \[copy\] Batch retried\. ns=db\.c reason="network error"$/);
  });

  it('writes JSON on a terminal when the format is json', async () => {
    const { logger, lines } = capture({ level: 'info', format: 'json', isTty: true });
    logger.info('Started.');
    expect(JSON.parse((await lines())[0] ?? '')).toMatchObject({ message: 'Started.' });
  });

  it('drops entries below the level', async () => {
    const { logger, lines } = capture({ level: 'warn', format: 'json', isTty: false });
    logger.info('Hidden.');
    logger.debug('Hidden.');
    logger.error('Shown.');
    expect((await lines()).map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['Shown.']);
  });

  it('redacts every entry: URIs in messages and fields, secret fields, errors', async () => {
    const { logger, lines } = capture({ level: 'debug', format: 'json', isTty: false });
    logger.error('Cannot connect to mongodb://admin:hunter2@src:27017.', {
      uri: 'mongodb+srv://admin:hunter2@c0.example.net',
      options: { password: 'hunter2', auth: { username: 'admin', password: 'hunter2' } },
      error: new Error('auth failed on mongodb://admin:hunter2@src'),
    });
    const [line] = await lines();
    expect(line).not.toContain('hunter2');
    expect(JSON.parse(line ?? '')).toMatchObject({
      message: 'Cannot connect to mongodb://admin:****@src:27017.',
      uri: 'mongodb+srv://admin:****@c0.example.net',
      options: { password: '****', auth: { username: 'admin', password: '****' } },
      error: { message: 'auth failed on mongodb://admin:****@src' },
    });
  });

  it('redacts text output too', async () => {
    const { logger, lines } = capture({ level: 'info', format: 'text', isTty: true });
    logger.info('Connected.', { uri: 'mongodb://u:hunter2@h', token: 'abc' });
    const [line] = await lines();
    expect(line).toContain('uri=mongodb://u:****@h token=****');
    expect(line).not.toContain('hunter2');
  });
});

describe('log fields', () => {
  it('never reports negative elapsed time', () => {
    expect(elapsedField(100, 350.4)).toEqual({ elapsedMs: 250 });
    expect(elapsedField(100, 50)).toEqual({ elapsedMs: 0 });
  });
});

describe('log file', () => {
  it('receives every entry as JSON, redacted, whatever the console format', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-log-'));
    try {
      const file = path.join(dir, 'sync.log');
      // The resolved `logging` section is accepted as it is.
      const logging: import('../../../src/config/schema.js').LoggingOptions = { level: 'info', format: 'text', file };
      const logger = createLogger({ ...logging, stream: new PassThrough(), isTty: true });
      logger.info('Started.', { uri: 'mongodb://u:hunter2@h' });
      await closeLogger(logger);
      const [line] = (await readFile(file, 'utf8')).trim().split('\n');
      expect(JSON.parse(line ?? '')).toMatchObject({ level: 'info', message: 'Started.', uri: 'mongodb://u:****@h' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unwritable log file on the console instead of crashing', async () => {
    const { lines } = capture({ level: 'info', format: 'json', isTty: false, file: '/nonexistent-dir/x/sync.log' });
    const output = await lines();
    expect(output.some((line) => line.includes('Cannot write the log file.'))).toBe(true);
  });
});
