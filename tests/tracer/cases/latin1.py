# -*- coding: latin-1 -*-
greeting = "café"
print(len(greeting))
