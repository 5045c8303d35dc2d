"""The command line both workload tests take: GILSIM REPO_ROOT [--filter TEXT]."""
import os


def parse(argv):
    """(gilsim, root, filter or None), or None when the arguments are off (print the usage)."""
    args = list(argv)
    filt = None
    if "--filter" in args:
        i = args.index("--filter")
        if i + 1 >= len(args):
            return None
        filt = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        return None
    return os.path.abspath(args[0]), os.path.abspath(args[1]), filt
