import smiley_break; x = 1
y = 2
print('still running')
