import { MongoError, MongoNetworkError, MongoServerError } from 'mongodb';
import { isTransient } from '../../../src/topology/server_errors.js';

function serverError(code: number, labels: string[] = []): MongoServerError {
  return new MongoServerError({ ok: 0, code, errmsg: `code ${code}`, errorLabels: labels });
}

describe('isTransient', () => {
  it.each([
    ['a network error', new MongoNetworkError('socket closed'), true],
    ['NotWritablePrimary (10107)', serverError(10107), true],
    ['an error labelled ResumableChangeStreamError', serverError(280, ['ResumableChangeStreamError']), true],
    ['ShutdownInProgress (91)', serverError(91), true],
    ['DuplicateKey (11000)', serverError(11000), false],
    ['ChangeStreamHistoryLost (286)', serverError(286), false],
    ['Unauthorized (13)', serverError(13), false],
    ['a driver error without code', new MongoError('bad option'), false],
    ['a plain Error', new Error('bug'), false],
  ])('%s -> %p', (_name, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});
