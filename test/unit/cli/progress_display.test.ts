import { formatBytes, formatDuration, progressFields } from '../../../src/cli/progress_display.js';

describe('progress display formatting', () => {
  it.each([
    [0, '0 B'], [1023, '1023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'], [5 * 1024 ** 3, '5.0 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [undefined, '-'], [7, '7s'], [125, '2m05s'], [3723, '1h02m03s'],
  ])('formats %p seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('puts the snapshot in the log fields with the ETA as text', () => {
    const fields = progressFields({
      namespaces: [], docs: 5, bytes: 50, totalDocs: 10, totalBytes: 100, docsPerSecond: 2.6, bytesPerSecond: 26.4,
      etaSeconds: 2, elapsedMs: 1000, done: false,
    });
    expect(fields).toEqual({ count: 5, totalCount: 10, sizeBytes: 50, totalSizeBytes: 100, docsPerSecond: 3, bytesPerSecond: 26, eta: '2s', elapsedMs: 1000 });
  });
});
