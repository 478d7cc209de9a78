"""Forms of the follow-up pages. They only parse: whether a temperature makes sense (abc, 45 ℃) is for
lib.temperature.check_temperature inside record_follow_up, whose RuleError goes back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures import rules
from fangkong.measures.forms.keypersons import datetime_field
from fangkong.registry.forms import Form

SYMPTOM_CHOICES = [(symptom, symptom) for symptom in rules.SYMPTOMS]


def temperature_field() -> forms.CharField:
    # Text, not type=number: a phone shows its numeric keypad for inputmode=decimal, and the rules accept
    # what people type (36,5 / ３６.５ / 36.5℃) where a number input would silently drop it.
    return forms.CharField(
        label=_("体温（℃）"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "placeholder": "36.5",
                "enterkeyhint": "done",
            }
        ),
    )


def symptoms_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("症状"), required=False, choices=SYMPTOM_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class QuickFollowUpForm(Form):
    """A caretaker on the worklist: the reading is taken now."""

    temperature = temperature_field()
    symptoms = symptoms_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The card opens on a tap: the keypad should come up without a second one.
        self.fields["temperature"].widget.attrs["autofocus"] = True


class FollowUpForm(Form):
    """Staff entering or correcting a reading for a given time."""

    taken_at = datetime_field(_("测量时间"), help_text=_("如 2020-02-01 08:30；12:00前记为上午"))
    temperature = temperature_field()
    symptoms = symptoms_field()
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)


class SelfReportForm(Form):
    temperature = temperature_field()
    symptoms = symptoms_field()


class ResolveAlertForm(Form):
    resolution = forms.CharField(
        label=_("处置结果"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：复测体温正常")}),
    )


class TransferForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
