import { CommandError, codeNameOf, ERROR_CODES } from '../../harness/errors.js';

describe('codeNameOf', () => {
  it.each([
    [2, 'BadValue'],
    [20, 'IllegalOperation'],
    [40414, 'IDLFailedToParse'],
    [40415, 'IDLUnknownField'],
    [165, 'ViewDepthLimitExceeded'],
    [91, 'ShutdownInProgress'],
    [16554, 'Location16554'],
    [51024, 'Location51024'],
  ])('names code %d %s, as mongod (Location<code> only for unnamed codes)', (code, name) => {
    expect(codeNameOf(code)).toBe(name);
  });

  it('is the inverse of ERROR_CODES (no code has two names)', () => {
    for (const [name, code] of Object.entries(ERROR_CODES)) expect(codeNameOf(code)).toBe(name);
  });
});

describe('CommandError', () => {
  it.each([
    ['a name alone', new CommandError('TypeMismatch', 'm'), 14, 'TypeMismatch'],
    ['a Location name alone', new CommandError('Location16436', 'm'), 16436, 'Location16436'],
    ['a named code with a Location name', new CommandError('Location20', 'm', {}, 20), 20, 'IllegalOperation'],
    ['an unnamed code with a name', new CommandError('BadValue', 'm', {}, 51024), 51024, 'Location51024'],
    ['fromCode of a named code', CommandError.fromCode(2, 'm'), 2, 'BadValue'],
    ['fromCode of an assertion id', CommandError.fromCode(28765, 'm'), 28765, 'Location28765'],
    ['an unknown name', new CommandError('NoSuchName', 'm'), 8, 'UnknownError'],
  ])('derives the codeName from the code for %s', (_case, error, code, codeName) => {
    expect(error.toReplyFields()).toEqual({ ok: 0, errmsg: 'm', code, codeName });
  });

  it('copies extra fields into the reply', () => {
    expect(CommandError.fromCode(11000, 'dup', { keyValue: { _id: 1 } }).toReplyFields()).toEqual({
      ok: 0, errmsg: 'dup', code: 11000, codeName: 'DuplicateKey', keyValue: { _id: 1 },
    });
  });
});
