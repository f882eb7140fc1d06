from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from concerto.components.news.models import Post
from concerto.core.spaces.models import Topic
from concerto.core.uploads import ImageWithAltFormMixin


def _max_length(name: str) -> int:
    return Post._meta.get_field(name).max_length


class PostForm(ImageWithAltFormMixin, forms.Form):
    """Write or edit a news post. A plain form: the service, not the form, changes the post."""

    title = forms.CharField(label=_("Title"), max_length=_max_length("title"),
                            error_messages={"required": _("Give the news post a title.")})
    summary = forms.CharField(
        label=_("Summary"), max_length=_max_length("summary"), required=False,
        help_text=_("One or two sentences shown in the lists, the feeds and the notifications."),
    )
    body = forms.CharField(
        label=_("Text of the news post"), widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text. Leave an empty line between paragraphs."),
        error_messages={"required": _("Write the text of the news post.")},
    )
    image = forms.ImageField(
        label=_("Image"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Description of the image"), max_length=_max_length("image_alt"), required=False,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), required=False, queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to use the topics of the space. People subscribed to these topics in a "
                    "chat get a short message when the post is published."),
    )

    @classmethod
    def for_post(cls, post: Post, *args, **kwargs) -> "PostForm":
        initial = {name: getattr(post, name) for name in ("title", "summary", "body", "image", "image_alt")}
        initial["topics"] = list(post.topics.all())
        return cls(*args, initial=initial, **kwargs)

    def values(self) -> dict:
        """Keyword arguments for post_create / post_update: an unchanged image is left out, a removed
        one is False."""
        values = {name: self.cleaned_data[name] for name in ("title", "summary", "body", "image_alt")}
        values["topics"] = list(self.cleaned_data["topics"])
        image = self.cleaned_data.get("image")
        if image is False or isinstance(image, UploadedFile):
            values["image"] = image
        return values
