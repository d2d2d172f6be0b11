"""journeysim's Hydra sweeper, ``hydra/sweeper=journeysim`` (the default of ``journey``): see
:mod:`hydra_plugins.journeysim_sweeper.compose_once`."""
