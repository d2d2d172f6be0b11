"""Validation against the literature: experiments that dock the engine with published results.

Each module is one experiment with a ``run(out_dir, jobs, seed) -> Outcome`` that writes its
tables (CSV) and figure (PNG) and states its pass criteria; :mod:`.run` runs them all
(``make validate``) and prints the pass/fail table. See ``docs/validation.md``.

==========================  ====================================================================
module                      published result
==========================  ====================================================================
``bass_products``           Bass (1969) closed form for published (p, q) of real products
``talk_of_the_network``     Goldenberg, Libai and Muller (2001): strong and weak ties, advertising
``network_speed``           Fibich and Levin (2023): no network beats full mixing
``epidemic_threshold``      Newman (2002): cascade threshold <k> / (<k^2> - <k>); scale-free graphs
``price_elasticity``        Bijmolt et al. (2005): sales elasticity -2.62, deals -3.63; loyal less sensitive
``dirichlet``               Goodhardt, Ehrenberg and Chatfield (1984): Double Jeopardy and duplication of
                            purchase hold in the published toothpaste category (checks: ``brand_laws``)
``brand_markets``           Ehrenberg et al. (1990), Auer and Papies (2019): Double Jeopardy, duplication of
                            purchase and cross-price elasticity in markets with competitors
``facts_three_brands``      the stylised facts of ``market_facts`` and ``repeat_buying`` with two competitors
==========================  ====================================================================
"""
