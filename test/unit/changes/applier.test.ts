import { MongoBulkWriteError, MongoNetworkError, MongoServerError, type BulkWriteResult } from 'mongodb';
import { withNetworkClass } from '../../../src/changes/applier.js';
import { isTransient } from '../../../src/topology/server_errors.js';

const RESULT = {} as BulkWriteResult;

/** The wrapper the driver's bulk API throws when a whole command fails (bulk/common.js executeCommands). */
function wrapped(error: Error): MongoBulkWriteError {
  return new MongoBulkWriteError(error, RESULT);
}

describe('withNetworkClass', () => {
  it('gives a network error wrapped by the bulk API its class back, labels kept, so that it is transient', () => {
    const network = new MongoNetworkError('connection reset');
    network.addErrorLabel('PoolRequestedRetry');
    const bulk = wrapped(network);
    expect(isTransient(bulk)).toBe(false);
    const restored = withNetworkClass(bulk);
    expect(restored).toBeInstanceOf(MongoNetworkError);
    expect((restored as MongoNetworkError).hasErrorLabel('PoolRequestedRetry')).toBe(true);
    expect((restored as Error).cause).toBe(bulk);
    expect(isTransient(restored)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a wrapped server error (its code and labels survive the wrapper)', wrapped(new MongoServerError({ message: 'refused', code: 2 }))],
    ['a bulk error with write errors', new MongoBulkWriteError({ message: 'dup', code: 11000, writeErrors: [{ index: 0 }] } as never, RESULT)],
    ['an error of another kind', new Error('other')],
  ])('leaves %s as it is', (_name, error) => {
    expect(withNetworkClass(error)).toBe(error);
  });
});
