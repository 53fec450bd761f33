import { parseSigningSecret, parseSigningSecrets } from './signing-secret';

const KEY = Buffer.from('0123456789abcdef01234567', 'utf8');
const KEY_BASE64 = KEY.toString('base64');

describe('parseSigningSecret', () => {
  it.each([
    ['a whsec_ secret', `whsec_${KEY_BASE64}`],
    ['bare base64', KEY_BASE64],
    ['surrounding whitespace', `  whsec_${KEY_BASE64}\n`],
  ])('decodes %s', (_label, secret) => {
    expect(parseSigningSecret(secret)).toEqual(KEY);
  });

  it('decodes unpadded base64', () => {
    expect(parseSigningSecret('whsec_YWJjZA')).toEqual(Buffer.from('abcd'));
  });

  it.each([
    ['empty', '', /empty/],
    ['blank', '   ', /empty/],
    ['prefix only', 'whsec_', /no key/],
    ['not base64', 'whsec_not*base64!', /standard base64/],
    ['url-safe alphabet', 'whsec_ab-_', /standard base64/],
    ['impossible length', 'whsec_abcde', /standard base64/],
    ['padding in the middle', 'whsec_ab=cd', /standard base64/],
  ])('rejects %s', (_label, secret, message) => {
    expect(() => parseSigningSecret(secret)).toThrow(message);
  });

  it('never repeats the secret in its error', () => {
    expect(() => parseSigningSecret('whsec_SuperSecret!!')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('SuperSecret') }));
  });
});

describe('parseSigningSecrets', () => {
  it('decodes a space-separated rotation list', () => {
    const sut = parseSigningSecrets(`whsec_${KEY_BASE64}   whsec_YWJjZA==\n`);
    expect(sut).toEqual([KEY, Buffer.from('abcd')]);
  });

  it('gives no secrets for a blank list', () => {
    expect(parseSigningSecrets('  ')).toEqual([]);
  });

  it('names the position of a bad entry', () => {
    expect(() => parseSigningSecrets(`whsec_${KEY_BASE64} whsec_%%%`)).toThrow('signing secret #2 of 2: ');
  });
});
