"""The chat's personal data: texts deleted after 90 days, listed in the export, erased with the account."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.channels import engine
from concerto.channels.models import Message, Participant
from concerto.core.accounts.privacy import retention_rules
from concerto.core.retention import retention_purge


@pytest.mark.django_db
def test_message_texts_are_deleted_after_90_days_by_the_retention_job(sceaux):
    participant = engine.participant_get(platform="web", user_id="abc")
    engine.inbound_handle(participant=participant, text="Bonjour", external_id="old")
    engine.inbound_handle(participant=participant, text="Sceaux", external_id="new")
    Message.objects.filter(external_id="old").update(created_at=timezone.now() - timedelta(days=91))
    rule = next(rule for rule in retention_rules() if rule.name == "chat_messages")
    assert rule.period_days == 90
    figures = retention_purge()
    assert figures["chat_messages"] >= 1
    assert not Message.objects.filter(external_id="old").exists()
    assert Message.objects.filter(external_id="new").exists()
    assert Participant.objects.filter(pk=participant.pk).exists()  # where the conversation stands stays


@pytest.mark.django_db
def test_a_linked_chat_is_in_the_export_and_erased_with_the_account(client, resident):
    participant = engine.participant_get(platform="web", user_id="abc", user=resident)
    engine.inbound_handle(participant=participant, text="Sceaux", external_id="1")
    from concerto.core.accounts.privacy import personal_data_providers

    provider = next(p for p in personal_data_providers() if p.name == "channels")
    exported = provider.export(resident)["chat_conversations"]
    assert exported[0]["platform"] == "web"
    assert [m["text"] for m in exported[0]["messages"]][0] == "Sceaux"
    provider.erase(resident)
    assert not Participant.objects.filter(user=resident).exists()
    assert not Message.objects.exists()
