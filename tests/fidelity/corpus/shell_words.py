"""shlex, copied into the project: splitting, quoting and joining command lines."""

import user_shlex

line = "cc -o 'my program' main.c \"two words\" --flag=value # comment"
words = user_shlex.split(line, comments=True)
print(words)
print(user_shlex.join(words))
print([user_shlex.quote(word) for word in ["safe", "not safe", "it's"]])
lexer = user_shlex.shlex("a && b || c; d", punctuation_chars=True)
print(list(lexer))
