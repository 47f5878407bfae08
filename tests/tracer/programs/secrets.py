__import__("os").environ.clear()
__import__("os").environ.update(HOME="/home/bob", SERVICE_TOKEN="not-shown-anywhere")


class Config:
    def __init__(self, user, password):
        self.user = user
        self.password = password

    def __repr__(self):
        return "Config(user=%r, password=%r)" % (self.user, self.password)


def connect(host, password, api_key=None):
    session_key = "abc123"
    user = "alice"
    config = {"password": "hunter2", "user": user, "token": "t0k3n"}
    return user


def leak(password):
    copy = password
    pair = ("bob", copy)
    options = [("password", "p4ss-w0rd"), ("user", "bob")]
    argv = ["prog", "--password", "p4ss-w0rd", "--api-key=k3y-v4lue"]
    header = "Bearer abcdef0123456789"
    url = "postgres://app:s3cret-pw@db.example/app"
    aws = "AKIAIOSFODNN7EXAMPLE"
    github = "ghp_" + "a1B2c3D4e5" * 4
    config = Config("bob", password)
    message = "login as bob with %s failed" % password
    from os import environ

    names = environ.keys()
    token = environ["SERVICE_TOKEN"]
    return password


connect("db.example", "hunter2", api_key="k-123")
leak("correct-horse-battery")
