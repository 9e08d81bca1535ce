"""Direct-invocation events of the ProvisioningFunction with any JSON in any field (a hypothesis
strategy): for the request validator's tests and the handler's."""

from __future__ import annotations

from hypothesis import strategies as st

from xoxzo_din.provisioning.requests import OPERATIONS, request_fields

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def events(draw: st.DrawFn) -> dict[str, object]:
    """An event of a known operation with any JSON value in any of its fields (or an unknown one)."""
    operation = draw(st.sampled_from(OPERATIONS) | json_values)
    names = request_fields(operation) if isinstance(operation, str) else frozenset()
    fields = draw(
        st.dictionaries(st.sampled_from(sorted(names | {"force"})), json_values, max_size=len(names) + 1)
    )
    return {"operation": operation, **fields}
