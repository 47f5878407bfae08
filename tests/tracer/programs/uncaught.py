def parse(text):
    number = int(text)
    return number


parse("12")
parse("twelve")
