import json

data = json.dumps({"a": 1})
