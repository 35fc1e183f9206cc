"""The change stamp: a renewal through one mapping is seen through every other at once."""

from __future__ import annotations

from pathlib import Path

from mock_server.state.stamp import STAMP_SIZE, ChangeStamp


def test_a_stamp_renewed_through_one_mapping_is_seen_through_another(tmp_path: Path) -> None:
    path = str(tmp_path / "state-stamp")
    reader, writer = ChangeStamp(path), ChangeStamp(path)  # as two worker processes would
    before = reader.current()
    assert len(before) == STAMP_SIZE and writer.current() == before
    assert reader.current() == before  # unchanged while nothing is written
    writer.renew()
    assert reader.current() == writer.current() != before
    seen = {reader.current()}
    for _ in range(100):
        writer.renew()
        seen.add(reader.current())
    assert len(seen) == 101  # a stamp value never comes back
