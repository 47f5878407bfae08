"""json, copied into the project as a package (user_json): encode and decode nested data."""

import user_json

data = {"name": "smiley", "tags": ["spy", "trace"], "nested": {"depth": [1, 2.5, None, True]}, "text": "caf\u00e9 \"quoted\""}
text = user_json.dumps(data, indent=2, sort_keys=True)
print(text)
back = user_json.loads(text)
print(back == data)
print(user_json.dumps([1, {"a": (2, 3)}], separators=(",", ":")))
try:
    user_json.loads('{"broken": [1, 2,,]}')
except ValueError as error:
    print("error:", error)
