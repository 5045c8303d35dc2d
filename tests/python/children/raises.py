# children/raises.py: a child script for subprocess_errors.py (not a test of its own): prints a
# line, then dies of an uncaught exception: exit status 1, the traceback on its stderr.
def check(value):
    if value < 0:
        raise ValueError(f"negative value: {value}")
    return value


print("checking")
check(-1)
