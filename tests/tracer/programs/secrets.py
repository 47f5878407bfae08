def connect(host, password, api_key=None):
    session_key = "abc123"
    user = "alice"
    config = {"password": "hunter2", "user": user, "token": "t0k3n"}
    return user


connect("db.example", "hunter2", api_key="k-123")
