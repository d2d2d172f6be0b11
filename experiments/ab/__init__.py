"""A/B tests in the simulated market, with the truth beside them.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``method``         the levers a test can split by customer, one test (three paired runs) and many
``result``         :class:`AbResult`: the tests' table, the report and what is written
``cli``            ``journey-ab --lever NAME --value X [options] [key=value ...]``
=================  ==============================================================================
"""
