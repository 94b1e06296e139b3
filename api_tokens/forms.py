from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “Briefing”.")
    expires = forms.DateField(
        required=False,
        label="Expires on",
        help_text="For example 2027-06-30. The token stops working at the end of that day.",
    )
    read_only = forms.BooleanField(required=False, label="Read only (writes are refused)")
