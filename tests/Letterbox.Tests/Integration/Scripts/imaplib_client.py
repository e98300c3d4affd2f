"""Drives Letterbox with Python's imaplib: STARTTLS and IMAPS, a full session.

Usage: imaplib_client.py HOST IMAP_PORT IMAPS_PORT USER PASSWORD CAFILE
Exits non-zero (with the reason) on the first unexpected answer.
"""
import imaplib
import ssl
import sys

host, imap_port, imaps_port, user, password, cafile = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=cafile)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2


def check(result, what):
    typ, data = result
    if typ != "OK":
        sys.exit(f"{what}: {typ} {data}")
    return data


# STARTTLS on the plaintext port, then a read-only look.
m = imaplib.IMAP4(host, int(imap_port))
caps = m.capabilities
if "STARTTLS" not in caps:
    sys.exit(f"no STARTTLS in {caps}")
check(m.starttls(ssl_context=ctx), "starttls")
check(m.login(user, password), "login after starttls")
check(m.select("INBOX", readonly=True), "examine")
m.logout()

# IMAPS: append, search, fetch, store, copy, expunge.
m = imaplib.IMAP4_SSL(host, int(imaps_port), ssl_context=ctx)
check(m.login(user, password), "login")
print("CAPABILITIES", " ".join(m.capabilities))
typ, boxes = m.list()
names = [b.decode() for b in boxes]
print("LIST", len(names))
for b in names:
    print(" ", b)
for wanted in ("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"):
    if not any(n.endswith(f'"{wanted}"') or n.endswith(f" {wanted}") for n in names):
        sys.exit(f"missing mailbox {wanted} in {names}")

msg = (b"From: Python <py@example.net>\r\nTo: " + user.encode() + b"\r\nSubject: imaplib test\r\n"
       b"Message-ID: <py-1@example.net>\r\n\r\nHello from imaplib.\r\nSecond line.\r\n")
check(m.append("INBOX", r"(\Flagged)", imaplib.Time2Internaldate(1700000000), msg), "append")
check(m.create("Projects/2026"), "create")
data = check(m.select("INBOX"), "select")
count = int(data[0])
typ, found = m.search(None, "SUBJECT", '"imaplib test"')
ids = found[0].split()
if len(ids) != 1:
    sys.exit(f"search found {found}")
typ, fetched = m.fetch(ids[0], "(RFC822 FLAGS)")
body = fetched[0][1]
if body != msg:
    sys.exit(f"body differs: {body!r}")
# FLAGS may come before or after the literal: look at the whole response.
whole = b" ".join(part if isinstance(part, bytes) else part[0] for part in fetched)
if b"\\Flagged" not in whole or b"\\Seen" not in whole:
    sys.exit(f"flags: {fetched!r}")
typ, found = m.search(None, "BODY", '"second LINE"')
if found[0].split() != ids:
    sys.exit(f"body search: {found}")
typ, data = m.uid("SEARCH", None, "ALL")
print("UIDS", data[0].decode())
check(m.copy(ids[0], "Projects/2026"), "copy")
check(m.store(ids[0], "+FLAGS", r"(\Deleted)"), "store")
check(m.expunge(), "expunge")
typ, st = m.status("Projects/2026", "(MESSAGES UIDNEXT UNSEEN)")
print("STATUS", st[0].decode())
if b"MESSAGES 1" not in st[0]:
    sys.exit(f"status: {st}")
check(m.close(), "close")
m.logout()
print("OK", count)
