"""Passwords for the Tryton users the hub's scripts create (admin, hub), made so Tryton always accepts them.

Tryton refuses a password shorter than [password] length (8) or whose share of distinct characters is under
[password] entropy (0.75 by default: "The same characters appear in the password too many times"). A random
token of 24 URL-safe characters falls under 0.75 now and then, and a kept file made that way failed every
later run. A new password here is 24 distinct letters and digits (entropy 1.0, about 139 bits); a kept one that
Tryton's rules refuse is made again (Tryton never stored a refused password, so nothing depends on it).

Usage: password.py ensure FILE TRYTOND_CONF   -> prints "kept", "created" or "replaced"
       password.py check FILE TRYTOND_CONF    -> exit 0 when Tryton accepts it, 1 with the reason otherwise
"""
import os
import secrets
import string
import sys

from trytond.config import config

ALPHABET = string.ascii_letters + string.digits
LENGTH = 24


def generate():
    return ''.join(secrets.SystemRandom().sample(ALPHABET, LENGTH))


def refusal(password):
    """Why Tryton's password rules (length, entropy) refuse this password, or None."""
    length = config.getint('password', 'length', default=0)
    entropy = config.getfloat('password', 'entropy', default=0)
    if not password or len(password.encode('utf-8')) < max(length, 1):
        return f'shorter than {length} bytes'
    if entropy and len(set(password)) / len(password) < entropy:
        return f'the same characters appear too many times ({len(set(password))} distinct of {len(password)}, under {entropy})'
    return None


def read(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read().strip()
    except FileNotFoundError:
        return None


def write(path, password):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(password + '\n')


def main(argv):
    if len(argv) != 4 or argv[1] not in ('ensure', 'check'):
        print(__doc__, file=sys.stderr)
        return 2
    command, path, conf = argv[1:]
    config.update_etc(conf)
    kept = read(path)
    reason = refusal(kept) if kept else 'missing'
    if command == 'check':
        if reason:
            print(f'{path}: {reason}', file=sys.stderr)
        return 1 if reason else 0
    if not reason:
        print('kept')
        return 0
    password = generate()
    assert refusal(password) is None
    write(path, password)
    print('created' if kept is None or kept == '' else f'replaced ({reason})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
