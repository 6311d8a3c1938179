import { extractCandidate, findCodeCandidates, MAX_CANDIDATES, MAX_SEARCHED_LENGTH } from './normalize';

const CODE = '7K3M9XQP';

describe('extractCandidate: forgiving matching (rule 2)', () => {
  it.each([
    ['the code alone', '7K3M-9XQP'],
    ['without the dash', '7K3M9XQP'],
    ['lower case', '7k3m-9xqp'],
    ['surrounding whitespace', '  7K3M-9XQP \n'],
    ['inner spaces', '7 K 3 M 9 X Q P'],
    ['tab and no-break space', '7K3M\t9XQ\u00A0P'],
    ['hyphen U+2010', '7K3M\u20109XQP'],
    ['non-breaking hyphen U+2011', '7K3M\u20119XQP'],
    ['en dash', '7K3M\u20139XQP'],
    ['em dash', '7K3M\u20149XQP'],
    ['minus sign U+2212', '7K3M\u22129XQP'],
    ['small hyphen-minus U+FE63', '7K3M\uFE639XQP'],
    ['full-width hyphen-minus', '7K3M\uFF0D9XQP'],
    ['soft hyphen', '7K3M\u00AD9XQP'],
    ['zero-width space, joiners, word joiner, BOM', '\uFEFF7K\u200B3M\u200C-\u200D9X\u2060QP'],
    ['punctuation', '"7K3M.9XQP"!'],
    ['underscores and slashes', '7K3M_9XQ/P'],
    ['full-width forms', '\uFF17\uFF2B\uFF13\uFF2D\uFF0D\uFF19\uFF38\uFF31\uFF30'],
    ['ideographic space', '7K3M\u30009XQP'],
    ['/pair prefix', '/pair 7K3M-9XQP'],
    ['/PAIR prefix in capitals', '/PAIR 7K3M-9XQP'],
    ['/start prefix (Telegram deep link)', '/start 7K3M9XQP'],
    ['/start@botname', '/start@twokey_bot 7K3M-9XQP'],
    ['/pair@botname', '/pair@twokey_bot 7k3m 9xqp'],
    ['full-width /pair', '\uFF0Fpair\u30007K3M-9XQP'],
    ['@bot mention', '@twokey 7K3M-9XQP'],
    ['Slack mention', '<@U0123ABCD> 7K3M-9XQP'],
    ['Slack mention with label', '<@U0123ABCD|twokey> 7K3M-9XQP'],
    ['Discord mention', '<@123456789012345678> 7K3M-9XQP'],
    ['Discord nickname mention', '<@!123456789012345678> 7K3M-9XQP'],
    ['Lark mention', '@_user_1 7K3M-9XQP'],
    ['mention then command', '@_user_1 /pair 7K3M-9XQP'],
    ['two mentions', '<@U1> <@U2> 7K3M-9XQP'],
  ])('accepts %s', (_label, text) => {
    expect(extractCandidate(text)).toBe(CODE);
  });

  it.each([
    ['O for 0, I and L for 1', 'OI1L-o0il', '01110011'],
    ['lower-case l for 1', 'l2345678', '12345678'],
    ['full-width O', '\uFF2F1234567', '01234567'],
  ])('applies Crockford aliases: %s', (_label, text, expected) => {
    expect(extractCandidate(text)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['a greeting', 'hello there'],
    ['too short', '7K3M-9XQ'],
    ['too long', '7K3M-9XQPZ'],
    ['U is not a Crockford symbol', '7K3M-9XQU'],
    ['a letter outside the alphabet', '7K3M-9XQ\u00C4'],
    ['command glued to the code', '/pair7K3M9XQP'],
    ['a code glued to a word', 'code7K3M-9XQP'],
    ['a part of a longer dashed word', 'ABCD-7K3M-9XQP'],
    ['a code with a space inside a sentence', 'my code is 7K3M 9XQP'],
    ['only a command', '/pair'],
    ['only a mention', '<@U0123ABCD>'],
    ['emoji in the code', '7K3M\u{1F600}9XQP'],
    ['a digit from another script', '7K3M-9XQ\u0661'],
  ])('rejects %s', (_label, text) => {
    expect(extractCandidate(text)).toBeUndefined();
  });
});

describe('L3: a live code inside a sentence is found; "hello bot?" is not a code attempt', () => {
  it.each([
    ['code inside a sentence', 'my code is 7K3M-9XQP'],
    ['code followed by words', '7K3M-9XQP please'],
    ['trailing mention', '7K3M-9XQP @twokey'],
    ['another command', '/help 7K3M9XQP'],
    ['a longer command name', '/pairing 7K3M9XQP'],
    ['in quotes, lower case, en dash', 'here: "7k3m\u20139xqp", thanks'],
    ['full-width inside a CJK sentence', '\u6211\u7684\u4EE3\u7801\u662F \uFF17\uFF2B\uFF13\uFF2D\uFF0D\uFF19\uFF38\uFF31\uFF30'],
    ['zero-width characters inside the word', 'code: 7K3M\u200B-9XQP.'],
  ])('finds %s', (_label, text) => {
    expect(findCodeCandidates(text)).toEqual([{ code: CODE, attempt: true }]);
  });

  it('finds the example of the review: "my code is K7QM-2ZXD"', () => {
    expect(findCodeCandidates('my code is K7QM-2ZXD')).toEqual([{ code: 'K7QM2ZXD', attempt: true }]);
  });

  it.each([
    ['hello bot?', 'HE110B0T'],
    ['Hello, Bot!', 'HE110B0T'],
    ['hello bot', 'HE110B0T'],
    ['Bill Hole', 'B111H01E'],
  ])('"%s" folds to a code only through the aliases: compared, but not an attempt', (text, folded) => {
    expect(findCodeCandidates(text)).toEqual([{ code: folded, attempt: false }]);
  });

  it.each([
    ['a code as written', '7K3M-9XQP', true],
    ['aliases with a digit', 'OI1L-o0il', true],
    ['letters only, no alias', 'ZZZZ-ZZZZ', true],
    ['an 8-letter word inside a sentence', 'my standard reply', false],
    ['a word needing aliases inside a sentence', 'the password is secret', false],
  ])('%s → attempt %s', (_label, text, attempt) => {
    const found = findCodeCandidates(text);
    expect(found).toHaveLength(1);
    expect(found[0].attempt).toBe(attempt);
  });

  it('a long message is not searched for codes', () => {
    const text = `${'words '.repeat(Math.ceil(MAX_SEARCHED_LENGTH / 6))}7K3M-9XQP`;
    expect(text.length).toBeGreaterThan(MAX_SEARCHED_LENGTH);
    expect(findCodeCandidates(text)).toEqual([]);
  });

  it('takes every code of a sentence, in order, once each, at most MAX_CANDIDATES', () => {
    expect(findCodeCandidates('ZZZZ-ZZZZ or 7K3M-9XQP or ZZZZZZZZ').map((c) => c.code)).toEqual(['ZZZZZZZZ', CODE]);
    const many = Array.from({ length: MAX_CANDIDATES + 2 }, (_, i) => `${i}${i}${i}${i}-AAAA`).join(' ');
    expect(findCodeCandidates(many)).toHaveLength(MAX_CANDIDATES);
  });
});
