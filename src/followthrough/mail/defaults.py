"""The templates a workspace starts with: plain, warm, short — written to be sent as
they are, and easy to make your own."""

from __future__ import annotations

from typing import NamedTuple

from followthrough.mail.models import Purpose


class DefaultTemplate(NamedTuple):
    key: str
    name: str
    purpose: str
    subject: str
    body: str


DEFAULTS: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        "thank-you",
        "Thank-you after an event",
        Purpose.THANK_YOU,
        "Good to meet you{% if event %} at {{ event }}{% endif %}",
        """Hi {{ first_name }},

Thank you for the conversation{% if event %} at {{ event }}{% endif %}. I really enjoyed \
hearing about your work{% if organization %} at {{ organization }}{% endif %}.
{% if reason %}
It struck me that {{ reason }} — I think there is something we could do together.
{% endif %}
If you would like to carry on the conversation, I would be glad to.

{{ signature }}""",
    ),
    DefaultTemplate(
        "coffee",
        "Coffee invitation",
        Purpose.COFFEE,
        "Coffee, {{ first_name }}?",
        """Hi {{ first_name }},

Would you have time for a coffee in the next few weeks? I would love to hear more about \
what you are working on{% if organization %} at {{ organization }}{% endif %}.
{% if reason %}
I have a feeling our work meets: {{ reason }}.
{% endif %}
If none of the times below suits you, just tell me one that does.

{{ signature }}""",
    ),
    DefaultTemplate(
        "check-in",
        "Check-in",
        Purpose.CHECK_IN,
        "How are things, {{ first_name }}?",
        """Hi {{ first_name }},

It has been a while, and I was thinking of you. How are things{% if organization %} at \
{{ organization }}{% endif %}?

No need for a long answer — I would just like to hear how you are doing.

{{ signature }}""",
    ),
    DefaultTemplate(
        "nudge",
        "Nudge",
        Purpose.NUDGE,
        "Following up",
        """Hi {{ first_name }},

I know inboxes fill up quickly, so I am bringing my last message back to the top. \
No pressure at all — whenever you have a moment.

{{ signature }}""",
    ),
    DefaultTemplate(
        "introduction",
        "Introduction",
        Purpose.INTRODUCTION,
        "An introduction",
        """Hi {{ first_name }},

I would like to introduce you to someone I think you would enjoy meeting. \
[Say who, and why you thought of them.]

I will leave it to the two of you from here.

{{ signature }}""",
    ),
)

BY_KEY = {template.key: template for template in DEFAULTS}
