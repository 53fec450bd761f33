import { textsAtPath } from './index-text';

describe('textsAtPath', () => {
  const value = { title: 'Cats', meta: { pages: 12, tags: ['a', 'b'] }, chapters: [{ text: 'one' }, { text: 'two' }, { n: 3 }] };

  it('reads the whole value, nested fields and array elements', () => {
    expect(textsAtPath(value, '$')).toEqual([JSON.stringify(value)]);
    expect(textsAtPath(value, 'title')).toEqual(['Cats']);
    expect(textsAtPath(value, 'meta.pages')).toEqual(['12']);
    expect(textsAtPath(value, 'meta.tags')).toEqual(['["a","b"]']);
    expect(textsAtPath(value, 'meta.tags[-1]')).toEqual(['b']);
    expect(textsAtPath(value, 'chapters[*].text')).toEqual(['one', 'two']);
    expect(textsAtPath(value, 'chapters[1].text')).toEqual(['two']);
  });

  it('finds nothing where the path does not lead', () => {
    expect(textsAtPath(value, 'missing')).toEqual([]);
    expect(textsAtPath(value, 'title.deeper')).toEqual([]);
    expect(textsAtPath(value, 'title[0]')).toEqual([]);
    expect(textsAtPath(value, 'chapters[9].text')).toEqual([]);
  });
});
