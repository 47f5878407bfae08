"""textwrap, as the standard library has it and as a copy in the project (user_textwrap)."""

import textwrap

import user_textwrap

SAMPLE = "The quick brown fox jumps over the lazy dog. " * 6

print(textwrap.fill(SAMPLE, 30))
wrapped = user_textwrap.wrap(SAMPLE, width=28, max_lines=5, placeholder=" [...]")
print(wrapped)
print(user_textwrap.indent(user_textwrap.dedent("    a\n      b\n    c\n"), "> "))
print(user_textwrap.shorten("Hello  world!   How are you today?", width=20))
wrapper = user_textwrap.TextWrapper(width=20, break_long_words=True, expand_tabs=True)
print(wrapper.fill("averyveryverylongwordthatmustbebroken\tand a tab"))
