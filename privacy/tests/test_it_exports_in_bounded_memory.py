"""Issue 12: an export of a user with 10,000 messages and 200 documents stays within memory.

The peak of Python allocations while the zip is written is measured (tracemalloc) for a small
history and for one ten times larger; streamed writing keeps the two close, where building the
export in memory would multiply the peak by about ten."""

import tracemalloc
import zipfile

from privacy import services
from privacy.models import DataExport
from privacy.tests.conftest import make_history


def _peak_of_export(user) -> tuple[int, DataExport]:
    item = DataExport.objects.create(user=user, requested_by=user)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        built = services.data_export_build(export_id=item.pk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, built


def test_it_exports_in_bounded_memory(in_tenant, tenant_a, owner, member, settings):
    with in_tenant(tenant_a):
        make_history(owner, tenant_a, marker="small", messages=1_000, documents=20)
        make_history(member, tenant_a, marker="large", messages=10_000, documents=200)
        small_peak, _small = _peak_of_export(owner)
        large_peak, large = _peak_of_export(member)

    print(f"tracemalloc peak: 1,000 messages/20 documents {small_peak / 1e6:.2f} MB; "
          f"10,000 messages/200 documents {large_peak / 1e6:.2f} MB")  # fmt: skip
    assert large.status == DataExport.Status.READY
    with zipfile.ZipFile(services.export_path(large)) as zf:
        assert sum(1 for _ in zf.open("messages.jsonl")) == 10_000
        assert len([n for n in zf.namelist() if n.startswith("documents/")]) == 200
    assert large_peak < small_peak * 1.5 + 1_000_000
