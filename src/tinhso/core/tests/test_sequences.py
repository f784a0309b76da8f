from tinhso.core.models import Sequence
from tinhso.core.sequences import next_value


def test_each_counter_counts_on_its_own(db):
    assert [next_value("a", "2026") for _ in range(3)] == [1, 2, 3]
    assert next_value("a", "2027") == 1
    assert next_value("b") == 1
    assert Sequence.objects.get(name="a", period="2026").value == 3
