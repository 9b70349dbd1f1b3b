import logging

from orchestration.tests.conftest import ask, run

SECRET = "sk-live-LOGSECRET-987654321"


def test_it_keeps_the_key_out_of_every_log_record(fake_llm, tenant_a, in_tenant, credential, caplog):
    caplog.set_level(logging.DEBUG)
    fake_llm.behave("gpt-4o", status=401)
    with in_tenant(tenant_a):
        cred = credential("openai", key=SECRET, models=["gpt-4o"])
        run(ask())
        fake_llm.behave("gpt-4o", text="fine")
        run(ask())
        from orchestration.moderation import moderate

        moderate("hello")
    assert caplog.records  # the SDKs and the engine did log
    for record in caplog.records:
        line = record.getMessage() + repr(record.args) + str(record.exc_info)
        assert SECRET not in line
        assert cred.encrypted_api_key not in line
