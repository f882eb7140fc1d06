from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from concerto.components.news.models import Post
from concerto.core.participation.uploads import validate_image_upload


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["title", "summary", "body", "image", "image_alt"]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "body": _("Text of the news post"),
            "image": _("Image"),
            "image_alt": _("Description of the image"),
        }
        help_texts = {
            "summary": _("One or two sentences shown in the lists, the feeds and the notifications."),
            "body": _("Plain text. Leave an empty line between paragraphs."),
            "image": _("JPEG, PNG or WebP, 5 MB at most."),
            "image_alt": _("What the image shows, for people who cannot see it."),
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        error_messages = {
            "title": {"required": _("Give the news post a title.")},
            "body": {"required": _("Write the text of the news post.")},
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            validate_image_upload(image)
        return image

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        if image and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned

    def changes(self) -> dict:
        """The values to hand to post_update: an unchanged image is left out, a cleared one is False."""
        values = {name: self.cleaned_data[name] for name in ("title", "summary", "body", "image_alt")}
        image = self.cleaned_data.get("image")
        if image is False or isinstance(image, UploadedFile):
            values["image"] = image
        return values
