"""Mail read back into timelines and outreach: `.mbox` and `.eml` files and IMAP polls.

    from followthrough.exchange.mailbox.service import mail_import

    result = mail_import(workspace=workspace, messages=read_mbox(stream), me=["me@org"])

One service (`service.mail_import`) takes `MessageRecord`s from any source. A message
from one of our addresses (`addresses.our_addresses`) is logged as "e-mail sent" with
each known recipient; any other as "e-mail received" with the person it answers (by
In-Reply-To/References, then by the sender's address), which closes their outreach
through `relationships.hooks`. Nothing is created for unknown addresses; they are
counted. Messages are written in short transactions, outbound before inbound, and a
message already on the person's timeline (same Message-ID) is skipped, so importing
the same file again changes nothing.
"""
