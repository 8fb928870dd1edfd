import { describe, expect, it } from '@jest/globals';
import { closestMatch, editDistance } from '../../../src/config/did_you_mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['parallelism', 'paralelism', 1],
    ['Level', 'level', 0],
    ['flaw', 'lawn', 2],
  ])('is %d edits from %j to %j', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestMatch', () => {
  const keys = ['parallelism', 'batchSizeBytes', 'partitionSizeBytes'];
  it.each([
    ['paralelism', 'parallelism'],
    ['batchSizeByte', 'batchSizeBytes'],
    ['PartitionSizeBytes', 'partitionSizeBytes'],
    ['threads', undefined],
    ['', undefined],
  ])('suggests for %j: %j', (input, expected) => {
    expect(closestMatch(input, keys)).toBe(expected);
  });
});
