import { removeSpans, wordSpans } from './mentions';

describe('removeSpans: the bot mention taken out of a message', () => {
  const cut = (text: string, needle: string) => removeSpans(text, [{ offset: text.indexOf(needle), length: needle.length }]);

  it.each([
    ['a multi-word bot name before the code', '@Twokey Acceptance Bot K7QM-2ZXD', '@Twokey Acceptance Bot', 'K7QM-2ZXD'],
    ['the mention after the code', 'K7QM-2ZXD @bot', '@bot', 'K7QM-2ZXD'],
    ['in the middle of a sentence', 'hi @bot there', '@bot', 'hi there'],
    ['on its own line', '@bot\nK7QM-2ZXD', '@bot', 'K7QM-2ZXD'],
    ['a line break kept', 'first line @bot\nsecond', '@bot', 'first line\nsecond'],
    ['only the mention', '@bot', '@bot', ''],
  ])('%s', (_label, text, needle, expected) => {
    expect(cut(text, needle)).toBe(expected);
  });

  it('removes several spans, in any order, and tolerates overlapping and out-of-range ones', () => {
    const text = '@a hello @b world';
    expect(removeSpans(text, [{ offset: 9, length: 2 }, { offset: 0, length: 2 }])).toBe('hello world');
    expect(removeSpans(text, [{ offset: 0, length: 2 }, { offset: 1, length: 3 }])).toBe('ello @b world');
    expect(removeSpans(text, [{ offset: 15, length: 99 }, { offset: -4, length: 2 }])).toBe('@a hello @b wor');
    expect(removeSpans(text, [])).toBe(text);
  });

  it('counts UTF-16 units, as Telegram and LINE do', () => {
    const text = '😄 @bot K7QM-2ZXD';
    expect(removeSpans(text, [{ offset: 3, length: 4 }])).toBe('😄 K7QM-2ZXD');
  });
});

describe('wordSpans', () => {
  it('finds whole words only, case-insensitively', () => {
    expect(wordSpans('@twokey-bot hi @TwoKey-Bot, not @twokey-bot2 or x@twokey-bot', '@twokey-bot')).toEqual([
      { offset: 0, length: 11 },
      { offset: 15, length: 11 },
    ]);
  });

  it('treats a dot ending the sentence as punctuation, a dot inside a name as part of it', () => {
    expect(wordSpans('thanks @bot.', '@bot')).toEqual([{ offset: 7, length: 4 }]);
    expect(wordSpans('@bot.two', '@bot')).toEqual([]);
  });
});
